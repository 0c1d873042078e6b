// The OpenAI SDK's Responses client, client.responses.create, against the gateway with only its base
// URL changed. Usage: node openai-responses.mjs <baseURL> <model>
// Prints one JSON line per check; exits non-zero on the first failed assertion.
import assert from "node:assert/strict";
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: process.env.TOLLGATE_KEY ?? "unused", maxRetries: 0 });
const report = (check, value) => console.log(JSON.stringify({ check, ...value }));

// 1. an answer
const answer = await client.responses.create({ model, input: "Say hello.", instructions: "Be brief." });
assert.equal(answer.object, "response");
assert.equal(answer.status, "completed");
assert.ok(answer.output_text.length > 0, "no output_text");
assert.ok(answer.usage.input_tokens > 0 && answer.usage.output_tokens > 0);
report("create", { id: answer.id, text: answer.output_text, usage: answer.usage });

// 2. a stream: created first, completed last, sequence numbers counting up, deltas adding up to the text
const stream = await client.responses.create({ model, input: "Stream a few words.", stream: true });
const types = [];
let last = -1;
let deltas = "";
let completed;
for await (const event of stream) {
  types.push(event.type);
  assert.ok(event.sequence_number > last, "sequence_number " + event.sequence_number + " after " + last);
  last = event.sequence_number;
  if (event.type === "response.output_text.delta") deltas += event.delta;
  if (event.type === "response.completed") completed = event.response;
}
assert.equal(types[0], "response.created");
assert.equal(types.at(-1), "response.completed");
assert.ok(completed, "no response.completed");
assert.equal(deltas, completed.output.filter(o => o.type === "message")
  .flatMap(o => o.content).map(c => c.text).join(""));
report("stream", { events: types.length, first: types[0], last: types.at(-1), text: deltas,
  outputTokens: completed.usage.output_tokens });

// 3. a function call, and its result sent back with the call repeated in the input
const tools = [{ type: "function", name: "weather", description: "The weather in a city", strict: true,
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } }];
const call = await client.responses.create({ model, input: "Lisbon", tools });
const fc = call.output.find(o => o.type === "function_call");
assert.ok(fc, "no function_call in " + JSON.stringify(call.output));
assert.equal(fc.name, "weather");
const city = JSON.parse(fc.arguments).city;
const after = await client.responses.create({ model, tools, input: [
  { role: "user", content: "Lisbon" }, fc,
  { type: "function_call_output", call_id: fc.call_id, output: `sunny in ${city}` }] });
assert.match(after.output_text, /sunny in Lisbon/);
report("tools", { call: fc.name, city, text: after.output_text });

// 4. errors: an unknown model, then an unsupported built-in tool (400 naming the field)
try {
  await client.responses.create({ model: "no-such-model", input: "hi" });
  assert.fail("no error for an unknown model");
} catch (e) {
  assert.ok(e instanceof OpenAI.NotFoundError, "not a NotFoundError: " + e);
  report("error", { status: e.status, message: e.message });
}
try {
  await client.responses.create({ model, input: "hi", tools: [{ type: "web_search_preview" }] });
  assert.fail("no error for a built-in tool");
} catch (e) {
  assert.ok(e instanceof OpenAI.BadRequestError, "not a BadRequestError: " + e);
  report("bad-tool", { status: e.status, param: e.param, message: e.message });
}

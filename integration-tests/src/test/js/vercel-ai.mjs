// The Vercel AI SDK's default OpenAI provider, openai(model), which calls POST /v1/responses,
// against the gateway with only its base URL changed. Usage: node vercel-ai.mjs <v6|v7> <baseURL> <model>
// Prints one JSON line per check; exits non-zero on the first failed assertion.
import assert from "node:assert/strict";

const [version, baseURL, model] = process.argv.slice(2);
const ai = await import(version === "v6" ? "ai-v6" : "ai");
const { createOpenAI } = await import(version === "v6" ? "ai-sdk-openai-v3" : "@ai-sdk/openai");
const { z } = await import("zod");
const { generateText, streamText, tool, stepCountIs } = ai;
const openai = createOpenAI({ baseURL, apiKey: process.env.TOLLGATE_KEY ?? "unused" });

function report(check, value) {
  console.log(JSON.stringify({ version, check, ...value }));
}

// 1. one answer
const text = await generateText({ model: openai(model), prompt: "Say hello to the gateway." });
assert.ok(text.text.length > 0, "empty answer");
assert.ok(text.usage.inputTokens > 0 && text.usage.outputTokens > 0, "no usage: " + JSON.stringify(text.usage));
report("generate", { text: text.text, inputTokens: text.usage.inputTokens, outputTokens: text.usage.outputTokens,
  finishReason: text.finishReason });

// 2. a stream, assembled
const stream = streamText({ model: openai(model), prompt: "Stream a few words." });
let assembled = "";
for await (const delta of stream.textStream) assembled += delta;
const streamedUsage = await stream.usage;
assert.equal(assembled, await stream.text);
assert.ok(assembled.length > 0, "empty stream");
assert.ok(streamedUsage.outputTokens > 0, "stream without usage");
report("stream", { text: assembled, outputTokens: streamedUsage.outputTokens });

// 3. a tool loop: the SDK runs the tool and sends its result back. With the default store: true it
//    refers to the earlier output items by id (item_reference); with store: false it repeats them.
for (const store of [true, false]) {
  const calls = [];
  const looped = await generateText({
    model: openai(model),
    prompt: "weather in Lisbon",
    tools: {
      weather: tool({
        description: "The weather in a city",
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => { calls.push(city); return `sunny in ${city}`; },
      }),
    },
    stopWhen: stepCountIs(3),
    providerOptions: { openai: { store } },
  });
  assert.equal(calls.length, 1, "the tool ran " + calls.length + " times");
  assert.ok(looped.steps.length >= 2, "one step only");
  assert.match(looped.text, /sunny in/, "the final answer does not use the tool's result: " + looped.text);
  report("tools", { store, steps: looped.steps.length, toolInput: calls[0], text: looped.text });
}

// 4. an error: an unknown model
try {
  await generateText({ model: openai("no-such-model"), prompt: "hi", maxRetries: 0 });
  assert.fail("no error for an unknown model");
} catch (e) {
  const status = e.statusCode ?? e.lastError?.statusCode;
  assert.equal(status, 404, "status " + status + ": " + e.message);
  report("error", { status, message: e.message });
}

package dev.tollgate.bench.jmh;

import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.anthropic.AnthropicEventReader;
import dev.tollgate.formats.anthropic.AnthropicEventWriter;
import dev.tollgate.formats.anthropic.AnthropicRequests;
import dev.tollgate.formats.openai.OpenAiChatRequests;
import dev.tollgate.formats.openai.OpenAiChunkReader;
import dev.tollgate.formats.openai.OpenAiChunkWriter;
import dev.tollgate.formats.openai.OpenAiWriteOptions;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Translation between the canonical chat model and the wire formats: one stream event each way (the
 * per-token cost of a translated stream) and a typical request (the per-call cost). Each stream
 * benchmark keeps one reader or writer with a text block open, so every operation is one text delta.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class FormatsBench {

    /** A tool-using conversation of the size agents send: system prompt, history, a tool result, two tools. */
    static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a careful travel assistant. Answer briefly and cite the tools you used.\"},"
            + "{\"role\":\"user\",\"content\":\"What is the weather in Paris and what time is it there?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
            + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C, light rain\"},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"09:41\"},"
            + "{\"role\":\"user\",\"content\":\"Thanks. Should I take an umbrella?\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Current weather by city\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"time\",\"description\":\"Local time by time zone\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}},\"required\":[\"tz\"]}}}],"
            + "\"temperature\":0.3,\"max_tokens\":512,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";

    static final String OPENAI_TEXT_CHUNK = "{\"id\":\"chatcmpl-AXc9Qe2mZk3LrT8vYpN4bWcHfJd1s\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1732560000,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0705bf87c0\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\" wonderful\"},\"logprobs\":null,\"finish_reason\":null}]}";

    static final String ANTHROPIC_TEXT_DELTA =
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" wonderful\"}}";

    static final Warnings IGNORE = (what, value) -> { };

    byte[] request;
    ChatRequest canonicalRequest;
    byte[] openAiChunk;
    byte[] anthropicDelta;
    StreamEvent.TextDelta textDelta;
    OpenAiChunkReader openAiReader;
    AnthropicEventReader anthropicReader;
    OpenAiChunkWriter openAiWriter;
    AnthropicEventWriter anthropicWriter;

    @Setup
    public void setup(Blackhole bh) {
        request = Fixtures.utf8(REQUEST);
        canonicalRequest = OpenAiChatRequests.parse(request, 0, request.length, IGNORE);
        openAiChunk = Fixtures.utf8(OPENAI_TEXT_CHUNK);
        anthropicDelta = Fixtures.utf8(ANTHROPIC_TEXT_DELTA);
        textDelta = new StreamEvent.TextDelta(0, " wonderful");

        openAiReader = new OpenAiChunkReader(bh::consume, IGNORE);
        openAiReader.feed(openAiChunk, 0, openAiChunk.length);

        anthropicReader = new AnthropicEventReader(bh::consume, IGNORE);
        byte[] start = Fixtures.utf8("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\","
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}");
        byte[] blockStart = Fixtures.utf8("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        anthropicReader.feed(start, 0, start.length);
        anthropicReader.feed(blockStart, 0, blockStart.length);

        StreamEvent.MessageStart messageStart = new StreamEvent.MessageStart("chatcmpl-1", "gpt-4o-mini", null);
        StreamEvent.BlockStart textStart = new StreamEvent.BlockStart(0, ContentBlock.Text.of(""));
        openAiWriter = new OpenAiChunkWriter("gpt-4o-mini", 1732560000L, true, bh::consume, IGNORE);
        openAiWriter.write(messageStart);
        openAiWriter.write(textStart);
        anthropicWriter = new AnthropicEventWriter("claude-sonnet", (name, data) -> bh.consume(data), IGNORE);
        anthropicWriter.write(messageStart);
        anthropicWriter.write(textStart);
    }

    /** An OpenAI upstream's text chunk to a canonical TextDelta. */
    @Benchmark
    public void openAiChunkToCanonical() {
        openAiReader.feed(openAiChunk, 0, openAiChunk.length);
    }

    /** An Anthropic upstream's text_delta event to a canonical TextDelta. */
    @Benchmark
    public void anthropicEventToCanonical() {
        anthropicReader.feed(anthropicDelta, 0, anthropicDelta.length);
    }

    /** A canonical TextDelta to an OpenAI client's chat.completion.chunk. */
    @Benchmark
    public void canonicalToOpenAiChunk() {
        openAiWriter.write(textDelta);
    }

    /** A canonical TextDelta to an Anthropic client's content_block_delta event. */
    @Benchmark
    public void canonicalToAnthropicEvent() {
        anthropicWriter.write(textDelta);
    }

    /** A typical tool-using OpenAI request parsed into the canonical model. */
    @Benchmark
    public ChatRequest openAiRequestToCanonical() {
        return OpenAiChatRequests.parse(request, 0, request.length, IGNORE);
    }

    /** The canonical request rendered for Anthropic. */
    @Benchmark
    public byte[] canonicalToAnthropicRequest() {
        return AnthropicRequests.write(canonicalRequest, "claude-sonnet-4-5", true, 4096, IGNORE);
    }

    /** The canonical request rendered back for an OpenAI upstream. */
    @Benchmark
    public byte[] canonicalToOpenAiRequest() {
        return OpenAiChatRequests.write(canonicalRequest, "gpt-4o-mini", OpenAiWriteOptions.openAi(true), IGNORE);
    }
}

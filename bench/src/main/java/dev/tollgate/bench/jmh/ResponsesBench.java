package dev.tollgate.bench.jmh;

import dev.tollgate.formats.openai.RequestEcho;
import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.codec.ResponsesCodec;
import dev.tollgate.kernel.codec.ResponsesFacts;
import dev.tollgate.kernel.codec.TranslationWarnings;
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
 * What the kernel reads of one {@code POST /v1/responses} body before a provider sees it, per path:
 * the facts pass alone (a request every deployment passes through), facts and one canonical parse (a
 * translated request now), and the two canonical parses a translated request used to pay for (one at
 * admission to validate, one at the attempt). Same body, same run: read them as ratios.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class ResponsesBench {

    /** An agent's second turn: instructions, a function call and its output as items, two tools, reasoning. */
    static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"instructions\":\"You are a careful travel assistant. Answer briefly "
            + "and cite the tools you used.\",\"input\":["
            + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"What is the weather in Paris and what time is it there?\"}]},"
            + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
            + "{\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"time\",\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"},"
            + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"18C, light rain\"},"
            + "{\"type\":\"function_call_output\",\"call_id\":\"call_2\",\"output\":\"09:41\"},"
            + "{\"role\":\"user\",\"content\":\"Thanks. Should I take an umbrella?\"}],"
            + "\"tools\":[{\"type\":\"function\",\"name\":\"weather\",\"description\":\"Current weather by city\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
            + "{\"type\":\"function\",\"name\":\"time\",\"description\":\"Local time by time zone\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}},\"required\":[\"tz\"]}}],"
            + "\"reasoning\":{\"effort\":\"low\"},\"temperature\":0.3,\"max_output_tokens\":512,\"store\":false,\"stream\":true}";

    byte[] request;
    ResponsesCodec codec;

    @Setup
    public void setup() {
        request = Fixtures.utf8(REQUEST);
        codec = new ResponsesCodec(new TranslationWarnings());
    }

    /** Every deployment passes the body through: the facts pass validates it, nothing is built. */
    @Benchmark
    public Object passThrough() {
        return ResponsesFacts.parse(RequestBody.of(request));
    }

    /** A translated request now: the facts, and the canonical parse made at admission and handed to the attempt. */
    @Benchmark
    public void translatedOnce(Blackhole bh) {
        RequestBody body = RequestBody.of(request);
        bh.consume(ResponsesFacts.parse(body));
        bh.consume(codec.canonical(body));
    }

    /** What a translated answer reads of the request to repeat its fields (instructions, tools, ...). */
    @Benchmark
    public Object requestEcho() {
        return RequestEcho.of(request);
    }

    /** A translated request before: the facts, a canonical parse at admission only to validate, and another at the attempt. */
    @Benchmark
    public void translatedTwiceBefore(Blackhole bh) {
        RequestBody body = RequestBody.of(request);
        bh.consume(ResponsesFacts.parse(body));
        bh.consume(codec.canonical(body));
        bh.consume(codec.canonical(body));
    }
}

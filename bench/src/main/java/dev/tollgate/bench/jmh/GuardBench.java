package dev.tollgate.bench.jmh;

import dev.tollgate.kernel.server.RequestFraming;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The connection guard's cost per request: {@link RequestFraming} over what an SDK sends for one
 * chat completion (a 440-byte head and its body, in a direct buffer as XNIO reads it), on one
 * keep-alive connection. The baseline finds the end of the same head byte by byte, the least any
 * parser does; {@code -prof gc} shows the guard allocates nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class GuardBench {

    static final String HEAD = "POST /v1/chat/completions HTTP/1.1\r\n"
            + "Host: gateway.internal:8480\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Connection: keep-alive\r\n"
            + "Accept: application/json\r\n"
            + "Content-Type: application/json\r\n"
            + "User-Agent: OpenAI/Python 1.54.4\r\n"
            + "X-Stainless-Lang: python\r\n"
            + "X-Stainless-Package-Version: 1.54.4\r\n"
            + "X-Stainless-OS: Linux\r\n"
            + "X-Stainless-Arch: x64\r\n"
            + "X-Stainless-Runtime: CPython\r\n"
            + "X-Stainless-Runtime-Version: 3.12.7\r\n"
            + "Authorization: Bearer sk-tollgate-0123456789abcdef0123456789abcdef\r\n"
            + "X-Stainless-Retry-Count: 0\r\n"
            + "Content-Length: " + Fixtures.CHAT_REQUEST.length() + "\r\n"
            + "\r\n";

    ByteBuffer request;
    int headLength;
    RequestFraming framing;

    @Setup
    public void setup() {
        byte[] bytes = (HEAD + Fixtures.CHAT_REQUEST).getBytes(StandardCharsets.US_ASCII);
        request = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        headLength = HEAD.length();
        framing = new RequestFraming(32 * 1024);
    }

    /** One whole request (head and body) through the guard's framing. */
    @Benchmark
    public int guardOneRequest() {
        int end = framing.scan(request, 0, request.limit());
        if (!framing.betweenMessages()) {
            throw new IllegalStateException("the request did not frame");
        }
        return end;
    }

    /** The baseline: finds CRLFCRLF in the same head. */
    @Benchmark
    public int findHeadEnd() {
        ByteBuffer b = request;
        int match = 0;
        for (int i = 0; i < headLength; i++) {
            byte c = b.get(i);
            match = (c == '\r' || c == '\n') ? match + 1 : 0;
            if (match == 4) {
                return i;
            }
        }
        return -1;
    }
}

package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution on its shipped configuration and default heap (-Xmx256m, exit on OOM) keeps
 * serving while clients drive each request-memory pattern well past the point where it used to
 * run out of heap: bodies declared at 4 MiB that send one byte, and 1 MiB header blocks that
 * never end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemoryAttackProcessTest {

    private static final HttpClient CLIENT = Dist.client();

    @TempDir
    Path dir;

    @Test
    void keepsServingWhileBodiesAreDeclaredHugeAndHeadsNeverEnd() throws Exception {
        int port = Dist.freePort();
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of(), "--port", String.valueOf(port))) {
            gateway.awaitReady(port, java.time.Duration.ofSeconds(30));
            List<Socket> held = new ArrayList<>();
            try {
                // ~60 of these exhausted the heap: 4 MiB allocated up front for each
                for (int i = 0; i < 100; i++) {
                    Socket s = connect(port);
                    held.add(s);
                    write(s.getOutputStream(), ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 4194304\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                }
                assertServes(gateway, port);
                // ~225 of these exhausted the heap: Undertow parsed up to 1 MiB of head per connection
                byte[] endlessHead = endlessHead();
                for (int i = 0; i < 300; i++) {
                    Socket s = connect(port);
                    held.add(s);
                    write(s.getOutputStream(), endlessHead);
                }
                assertServes(gateway, port);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            assertServes(gateway, port);
            assertThat(gateway.stderr() + gateway.stdout()).doesNotContain("OutOfMemoryError");
        }
    }

    private static void assertServes(GatewayProcess gateway, int port) throws Exception {
        assertThat(gateway.process().isAlive()).as("the gateway is alive\n%s", gateway.output()).isTrue();
        HttpResponse<String> live = Dist.get(CLIENT, port, "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        HttpResponse<String> chat = CLIENT.send(Dist.chatRequest(port, "mock", false), HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    }

    private static byte[] endlessHead() {
        byte[] start = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Padding: ".getBytes(StandardCharsets.US_ASCII);
        byte[] head = Arrays.copyOf(start, 1024 * 1024);
        Arrays.fill(head, start.length, head.length, (byte) 'a');
        return head;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Writes what the gateway takes; it may refuse the rest of a head it already answered, and close. */
    private static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException refusedAndClosed) {
            // the gateway answered and closed: that is its defence, not a failure
        }
    }
}

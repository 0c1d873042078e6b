package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.tollgate.it.upstream.Upstreams.KEY;
import static dev.tollgate.it.upstream.Upstreams.KEY_SUFFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The upstream API key never leaves the gateway other than towards the upstream: not in a response
 * body or header, not in a log line (message or stack trace, at DEBUG), not on stdout or stderr,
 * whichever way the upstream fails, even when the upstream echoes the key in its error messages.
 */
class SecretNeverLeaksTest {

    /** Loggers of the fake upstreams (WireMock and its shaded Jetty), which legitimately see the key. */
    private static boolean isUpstreamLogger(String name) {
        return name.startsWith("wiremock") || name.startsWith("WireMock") || name.startsWith("com.github.tomakehurst");
    }

    /** Keeps every event's rendered text; thread-safe, unlike ListAppender's list. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        final Queue<String> lines = new ConcurrentLinkedQueue<>();

        @Override
        protected void append(ILoggingEvent e) {
            if (isUpstreamLogger(e.getLoggerName())) {
                return;
            }
            StringBuilder b = new StringBuilder().append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ")
                    .append(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                b.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
            b.append(" mdc=").append(e.getMDCPropertyMap());
            lines.add(b.toString());
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }

    @Test
    void keyAppearsInNoResponseHeaderOrLogLineButDoesReachTheUpstream() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        Capture capture = new Capture();
        capture.setContext(root.getLoggerContext());
        capture.start();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<String> responses = new ArrayList<>();
        int[] keyedUpstreamRequests = {0};

        root.addAppender(capture);
        root.setLevel(Level.DEBUG);
        System.setOut(new PrintStream(new Tee(out, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, console), true, StandardCharsets.UTF_8));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
                try (FailureFixture fixture = new FailureFixture(true)) {
                    for (FailureCase c : FailureCase.all(true)) {
                        fixture.reset();
                        HttpResponse<String> r = fixture.drive(c);
                        responses.add(c.name() + "\n" + r.headers().map() + "\n" + r.body());
                        fixture.assertStillServes(c.stream());
                        keyedUpstreamRequests[0] += countKeyed(fixture);
                        fixture.resetting.exchanges().forEach(ex -> assertThat(ex.requestHead.toLowerCase(Locale.ROOT))
                                .contains(("authorization: bearer " + KEY).toLowerCase(Locale.ROOT)));
                    }
                }
            });
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.setLevel(rootLevel);
            root.detachAppender(capture);
            capture.stop();
        }

        assertThat(keyedUpstreamRequests[0]).as("upstream requests that carried Authorization: Bearer <key>")
                .isGreaterThan(20);
        System.out.printf("checked %d responses, %d gateway log events, %d characters of console output%n",
                responses.size(), capture.lines.size(), console.size());
        assertThat(capture.lines).as("log events captured").isNotEmpty();

        assertThat(capture.lines).anyMatch(l -> l.contains("upstream_auth_failed"));
        for (String response : responses) {
            assertThat(response).doesNotContain(KEY).doesNotContain(KEY_SUFFIX);
        }
        for (String line : capture.lines) {
            assertThat(line).as("log line").doesNotContain(KEY).doesNotContain(KEY_SUFFIX);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).as("stdout and stderr").doesNotContain(KEY).doesNotContain(KEY_SUFFIX);
    }

    /** Requests WireMock got since the last reset; each must carry the key, else the test proves nothing. */
    private static int countKeyed(FailureFixture fixture) {
        List<LoggedRequest> all = fixture.wireMock.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        List<LoggedRequest> keyed = fixture.wireMock.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
        assertThat(keyed).as("every upstream request carries the configured key").hasSameSizeAs(all);
        return keyed.size();
    }
}

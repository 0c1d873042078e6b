package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Notifier;
import dev.tollgate.it.TestGateway;
import dev.tollgate.kernel.logging.SecretScrubbingEncoder;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A key made only of letters and digits, which a JSON parser quotes whole in "Unrecognized token
 * '…'", reflected by the upstream in the places the provider parses: a 200 body and stream lines
 * whose {@code error} or {@code usage} is not JSON (before and after the first chunk), 4xx and 5xx
 * error messages, a plain-text 5xx body, a stream error event, and the text of a valid answer and of a
 * valid stream (which the gateway masks in the bytes it relays). It reaches the upstream, and appears in no response and in nothing written by the
 * logging configuration (message, stack trace, at DEBUG) or to stdout and stderr.
 */
@Timeout(60)
class ReflectedKeyNeverLeaksTest {

    /** Writes to two streams. */
    static final class Tee extends OutputStream {
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

    /** Counts events whose raw text holds the key: what the scrubber had to mask. */
    private static final class RawCount extends AppenderBase<ILoggingEvent> {
        final Queue<String> holding = new ConcurrentLinkedQueue<>();
        private final String key;

        RawCount(String key) {
            this.key = key;
        }

        @Override
        protected void append(ILoggingEvent e) {
            String text = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            if (text.contains(key)) {
                holding.add(e.getLoggerName());
            }
        }
    }

    @Test
    void aReflectedKeyIsWrittenNowhereButReachesTheUpstream() throws Exception {
        String key = KeyReflections.canary();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        SecretScrubbingEncoder encoder = new SecretScrubbingEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger - %msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> file = new OutputStreamAppender<>();
        file.setContext(context);
        file.setEncoder(encoder);
        file.setOutputStream(written);
        file.start();
        RawCount raw = new RawCount(key);
        raw.setContext(context);
        raw.start();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        StringBuilder responses = new StringBuilder();

        WireMockServer wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").notifier(new Notifier() {
            @Override
            public void info(String message) {}

            @Override
            public void error(String message) {}

            @Override
            public void error(String message, Throwable t) {}
        }));
        root.addAppender(file);
        root.addAppender(raw);
        root.setLevel(Level.DEBUG);
        System.setOut(new PrintStream(new Tee(out, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, console), true, StandardCharsets.UTF_8));
        try {
            wireMock.start();
            String yaml = "plugins: [provider-openai]\n" + KeyReflections.modelYaml("http://127.0.0.1:" + wireMock.port() + "/v1");
            try (TestGateway gateway = TestGateway.start(yaml, Map.of("CANARY_KEY", key))) {
                for (KeyReflections.Case c : KeyReflections.cases(key)) {
                    wireMock.resetAll();
                    wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(c.upstream()));
                    HttpResponse<String> r = Upstreams.chat(gateway, KeyReflections.MODEL, c.stream());
                    responses.append(c.name()).append('\n').append(r.headers().map()).append('\n').append(r.body()).append('\n');
                    assertThat(r.statusCode()).as("%s: %s", c.name(), r.body()).isEqualTo(c.status());
                    if (c.code() != null) {
                        assertThat(r.body()).as(c.name()).contains("\"code\":\"" + c.code() + "\"");
                    } else {
                        assertThat(r.body()).as(c.name()).contains("*".repeat(key.length()));
                    }
                    wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                            .withHeader("Authorization", equalTo("Bearer " + key)));
                }
            }
            System.getLogger("tollgate.plugin.provider-openai").log(System.Logger.Level.WARNING, "api_key=" + key,
                    new IllegalStateException("Unrecognized token '" + key + "'"));
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.setLevel(rootLevel);
            root.detachAppender(file);
            root.detachAppender(raw);
            file.stop();
            raw.stop();
            wireMock.stop();
        }

        String logged = written.toString(StandardCharsets.UTF_8);
        String printed = console.toString(StandardCharsets.UTF_8);
        System.out.printf("%d characters logged, %d printed; raw events that held the key: %s%n", logged.length(),
                printed.length(), raw.holding);
        assertThat(logged).as("what the scrubbing encoder writes")
                .contains("upstream_malformed_response").contains("upstream_stream_error")
                .contains("api_key=***").contains("Unrecognized token '***'")
                .doesNotContain(key).doesNotContain(key.substring(0, 20)).doesNotContain(key.substring(20));
        assertThat(printed).as("stdout and stderr").contains("api_key=***").doesNotContain(key).doesNotContain(key.substring(20));
        assertThat(responses.toString()).as("responses").doesNotContain(key).doesNotContain(key.substring(20));
    }
}

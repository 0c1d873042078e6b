package dev.tollgate.kernel.governance.admin;

import static dev.tollgate.kernel.governance.GovernedGateway.chat;
import static dev.tollgate.kernel.governance.GovernedGateway.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.governance.GovernedGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A virtual key and the master key appear in no log line, at any level, and in no answer but the key's creation. */
class KeyNeverLeaksTest {

    /** Every event's rendered text, stack traces and MDC included. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        final Queue<String> lines = new ConcurrentLinkedQueue<>();

        @Override
        protected void append(ILoggingEvent e) {
            StringBuilder b = new StringBuilder().append(e.getLoggerName()).append(" - ").append(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                b.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
            lines.add(b.append(" mdc=").append(e.getMDCPropertyMap()).toString());
        }
    }

    @Test
    void theKeysAppearInNoLogLineAndNoListing() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        Capture capture = new Capture();
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
        root.setLevel(Level.DEBUG);
        List<String> answers = new ArrayList<>();
        String canary;
        try (GovernedGateway gw = GovernedGateway.withMasterKey()) {
            JsonNode created = gw.createKey("{\"name\":\"canary\",\"models\":[\"m\"]}");
            canary = created.get("key").asText();
            String id = created.get("id").asText();
            List<HttpResponse<String>> sent = new ArrayList<>();
            sent.add(gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", "Bearer " + canary));
            sent.add(gw.send("POST", "/v1/messages", messages("m"), "x-api-key", canary));
            sent.add(gw.send("POST", "/v1/chat/completions", chat("other"), "x-api-key", canary));
            sent.add(gw.send("POST", "/v1/chat/completions", "{\"model\":", "x-api-key", canary));
            sent.add(gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", canary));
            sent.add(gw.send("GET", "/admin/keys", null, "Authorization", "Bearer " + canary));
            sent.add(gw.admin("GET", "/admin/keys", null));
            sent.add(gw.admin("GET", "/admin/keys/" + id, null));
            sent.add(gw.admin("POST", "/admin/keys/" + id + "/revoke", null));
            sent.add(gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", canary));
            sent.add(gw.admin("PATCH", "/admin/keys/" + id, "{\"name\":\"x\",\"oops\":1}"));
            sent.add(gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", GovernedGateway.MASTER));
            sent.forEach(r -> answers.add(r.statusCode() + " " + r.headers().map() + " " + r.body()));
            assertThat(sent.get(0).statusCode()).isEqualTo(200);
            assertThat(sent.get(9).statusCode()).isEqualTo(401);
        } finally {
            root.setLevel(level);
            root.detachAppender(capture);
            capture.stop();
        }
        assertThat(capture.lines).isNotEmpty();
        assertThat(capture.lines).noneMatch(l -> l.contains(canary)).noneMatch(l -> l.contains(GovernedGateway.MASTER));
        assertThat(answers).noneMatch(a -> a.contains(canary)).noneMatch(a -> a.contains(GovernedGateway.MASTER));
    }
}

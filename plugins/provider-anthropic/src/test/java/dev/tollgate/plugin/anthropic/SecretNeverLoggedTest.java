package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.CLOCK;
import static dev.tollgate.plugin.anthropic.TestSupport.KEY;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.openAi;
import static dev.tollgate.plugin.anthropic.TestSupport.translated;
import static dev.tollgate.plugin.anthropic.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The API key appears in no log line and no error, whatever the provider echoes, while translation warnings are logged. */
class SecretNeverLoggedTest {

    /** Every line the plugin logs. */
    private static final class RecordingLogger implements System.Logger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg + (thrown == null ? "" : " " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(params == null ? format : MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> supplier) {
            lines.add(supplier.get());
        }
    }

    @Test
    void warningsAreLoggedWithoutTheKeyAndEchoedKeysNeverLeaveTheAdapter() {
        RecordingLogger logger = new RecordingLogger();
        FakePluginContext fake = new FakePluginContext("provider-anthropic", CLOCK, null);
        PluginContext context = new PluginContext() {
            @Override
            public Metrics metrics() {
                return fake.metrics();
            }

            @Override
            public System.Logger logger() {
                return logger;
            }
        };
        AnthropicAdapter adapter = TestSupport.adapter(withKey(), context);
        String echo = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"key " + KEY + " overloaded\"}}";
        String oddStop = fixture("text.stream.sse").replace("\"end_turn\"", "\"a_future_reason\"");

        RecordingStreamSink odd = TestSupport.stream(adapter, translated(openAi(
                "{\"model\":\"m\",\"stream\":true,\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
                ScriptedUpstreamHttp.always(Reply.eventStream(TestSupport.split(oddStop, 1 << 20))));
        RecordingStreamSink failed = TestSupport.stream(adapter, translated(openAi(
                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
                ScriptedUpstreamHttp.always(Reply.json(529, echo)));

        assertThat(failed.error().getMessage()).doesNotContain(KEY);
        assertThat(odd.completed()).isTrue();
        assertThat(logger.lines).as("the seed Anthropic cannot take was reported").anyMatch(l -> l.contains("seed"));
        assertThat(fake.metrics().counterValue("translation_warnings_total")).isPositive();
        assertThat(logger.lines).as("an unknown stop reason was reported").anyMatch(l -> l.contains("a_future_reason"));
        assertThat(logger.lines).noneMatch(l -> l.contains(KEY));
    }
}

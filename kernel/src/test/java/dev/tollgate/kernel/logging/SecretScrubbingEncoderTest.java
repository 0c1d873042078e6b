package dev.tollgate.kernel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class SecretScrubbingEncoderTest {

    private static final String SECRET = "q7Hc2Lw9Rt4Vx1Bn6Mz3Kd8Fs5Jp0Ga";

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("test.scrubbing." + System.nanoTime());
    private OutputStreamAppender<ILoggingEvent> appender;

    @BeforeEach
    void register() {
        Secrets.clearForTests();
        Secrets.register(SECRET);
    }

    @AfterEach
    void forget() {
        logger.detachAndStopAllAppenders();
        MDC.clear();
        Secrets.clearForTests();
    }

    private void writeThrough(PatternLayoutEncoder encoder) {
        encoder.setContext(context);
        encoder.setPattern("%level %logger - %msg mdc=%mdc%n");
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("memory");
        appender.setEncoder(encoder);
        appender.setOutputStream(written);
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(Level.DEBUG);
    }

    private String output() {
        return written.toString(StandardCharsets.UTF_8);
    }

    private static IllegalStateException failureQuotingTheSecret() {
        IllegalStateException top = new IllegalStateException("top " + SECRET,
                new IllegalArgumentException("Unrecognized token '" + SECRET + "': was expecting JSON"));
        top.addSuppressed(new RuntimeException("suppressed " + SECRET));
        return top;
    }

    @Test
    void masksTheSecretInTheMessageEveryThrowableAndTheMdc() {
        writeThrough(new SecretScrubbingEncoder());
        MDC.put("key", SECRET);
        logger.warn("key {} reflected", SECRET, failureQuotingTheSecret());

        String out = output();
        assertThat(out).doesNotContain(SECRET).doesNotContain(SECRET.substring(0, 16));
        assertThat(out).contains("WARN " + logger.getName() + " - key *** reflected mdc=key=***")
                .contains("java.lang.IllegalStateException: top ***")
                .contains("Caused by: java.lang.IllegalArgumentException: Unrecognized token '***': was expecting JSON")
                .contains("Suppressed: java.lang.RuntimeException: suppressed ***")
                .contains("at dev.tollgate.kernel.logging.SecretScrubbingEncoderTest");
    }

    @Test
    void thePlainPatternEncoderWouldHaveWrittenTheSecret() {
        writeThrough(new PatternLayoutEncoder());
        logger.warn("key {} reflected", SECRET, failureQuotingTheSecret());
        assertThat(output()).contains("key " + SECRET).contains("Unrecognized token '" + SECRET);
    }

    @Test
    void theCheckNamesAnAppenderThatWritesWithoutTheScrubber() {
        assertThat(LogOutputCheck.unscrubbedAppenders()).as("the kernel's own logback.xml").isEmpty();
        writeThrough(new PatternLayoutEncoder());
        assertThat(LogOutputCheck.unscrubbedAppenders()).containsExactly("memory (OutputStreamAppender)");
    }

    @Test
    void systemLoggerLinesReachLogbackAndAreScrubbed() {
        writeThrough(new SecretScrubbingEncoder());
        System.Logger platform = System.getLogger(logger.getName());
        platform.log(System.Logger.Level.INFO, "plugin saw " + SECRET);
        platform.log(System.Logger.Level.ERROR, "plugin failed", failureQuotingTheSecret());

        assertThat(output()).contains("INFO " + logger.getName() + " - plugin saw ***")
                .contains("ERROR " + logger.getName() + " - plugin failed")
                .contains("Caused by: java.lang.IllegalArgumentException: Unrecognized token '***'")
                .doesNotContain(SECRET);
    }
}

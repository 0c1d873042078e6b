package dev.tollgate.kernel.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.Charset;

/**
 * Logback's pattern encoder with {@link Secrets#scrub} applied to each rendered line, whatever the
 * pattern holds: the message, every throwable with its causes and suppressed exceptions, MDC values,
 * key-value pairs, thread and logger names. Configure it in place of {@code PatternLayoutEncoder}:
 * {@code <encoder class="dev.tollgate.kernel.logging.SecretScrubbingEncoder">}.
 */
public final class SecretScrubbingEncoder extends PatternLayoutEncoder {

    @Override
    public byte[] encode(ILoggingEvent event) {
        String line = Secrets.scrub(getLayout().doLayout(event));
        Charset charset = getCharset();
        return charset == null ? line.getBytes() : line.getBytes(charset);
    }
}

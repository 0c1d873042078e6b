package dev.tollgate.kernel.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Finds log appenders that would write lines without {@link SecretScrubbingEncoder}, so an edited
 * {@code logback.xml} cannot silently switch the scrubbing off.
 */
public final class LogOutputCheck {

    private LogOutputCheck() {}

    /** Names of the appenders in use that write unscrubbed lines; empty when the binding is not logback. */
    public static List<String> unscrubbedAppenders() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
            return List.of();
        }
        return Logback.unscrubbed(factory);
    }

    /** Touches logback types only once the binding is known to be logback. */
    private static final class Logback {

        static List<String> unscrubbed(ILoggerFactory factory) {
            LoggerContext context = (LoggerContext) factory;
            List<String> out = new ArrayList<>();
            Map<Appender<ILoggingEvent>, Boolean> seen = new IdentityHashMap<>();
            for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
                visit(logger.iteratorForAppenders(), seen, out);
            }
            return out;
        }

        private static void visit(Iterator<Appender<ILoggingEvent>> appenders, Map<Appender<ILoggingEvent>, Boolean> seen,
                List<String> out) {
            while (appenders.hasNext()) {
                Appender<ILoggingEvent> a = appenders.next();
                if (seen.put(a, Boolean.TRUE) != null) {
                    continue;
                }
                if (a instanceof AppenderAttachable<?> parent) {
                    @SuppressWarnings("unchecked")
                    Iterator<Appender<ILoggingEvent>> children =
                            ((AppenderAttachable<ILoggingEvent>) parent).iteratorForAppenders();
                    visit(children, seen, out);
                } else if (!(a instanceof OutputStreamAppender<ILoggingEvent> o
                        && o.getEncoder() instanceof SecretScrubbingEncoder)) {
                    out.add(a.getName() + " (" + a.getClass().getSimpleName() + ")");
                }
            }
        }
    }
}

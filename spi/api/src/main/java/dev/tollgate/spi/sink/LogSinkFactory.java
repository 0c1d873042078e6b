package dev.tollgate.spi.sink;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link LogSink} from its configuration. */
public interface LogSinkFactory extends ComponentFactory<LogSink> {}

package dev.tollgate.spi.sink;

import java.util.List;

/**
 * A destination for request records. The kernel calls {@link #write} off the request path, on the
 * sink's own thread, with batches; it may block. A batch that throws is retried or spilled by the
 * kernel and counted, never silently dropped.
 */
public interface LogSink extends AutoCloseable {

    void write(List<RequestRecord> batch) throws Exception;

    @Override
    default void close() {}
}

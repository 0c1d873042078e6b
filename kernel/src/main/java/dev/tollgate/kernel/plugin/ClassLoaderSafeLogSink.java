package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.util.List;

/** Calls a plugin's {@link LogSink} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeLogSink implements LogSink {

    private final LogSink delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeLogSink(LogSink delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public void write(List<RequestRecord> batch) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            delegate.write(batch);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }

    /** The sink's spend reports, called with its loader, when it offers them. */
    public java.util.Optional<dev.tollgate.spi.sink.SpendReports> reports() {
        return delegate instanceof dev.tollgate.spi.sink.SpendReports r
                ? java.util.Optional.of(new ClassLoaderSafeSpendReports(r, loader)) : java.util.Optional.empty();
    }
}

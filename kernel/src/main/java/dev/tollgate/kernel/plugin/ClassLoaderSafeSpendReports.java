package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.sink.SpendReports;
import dev.tollgate.spi.store.SpendQuery;
import java.util.List;

/** Calls a sink plugin's {@link SpendReports} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeSpendReports implements SpendReports {

    private final SpendReports delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeSpendReports(SpendReports delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public List<SpendQuery.Row> spend(SpendQuery query) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return delegate.spend(query);
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}

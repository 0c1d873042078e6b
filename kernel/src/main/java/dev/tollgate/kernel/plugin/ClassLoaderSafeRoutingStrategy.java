package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;

/** Calls a plugin's {@link RoutingStrategy} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeRoutingStrategy implements RoutingStrategy {

    private final RoutingStrategy delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeRoutingStrategy(RoutingStrategy delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        return ContextClassLoader.call(loader, () -> delegate.choose(request, candidates));
    }
}

package dev.tollgate.spi.routing;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link RoutingStrategy} from its configuration. */
public interface RoutingStrategyFactory extends ComponentFactory<RoutingStrategy> {}

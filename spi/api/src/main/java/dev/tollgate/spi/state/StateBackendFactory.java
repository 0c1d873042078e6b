package dev.tollgate.spi.state;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link StateBackend} from its configuration. */
public interface StateBackendFactory extends ComponentFactory<StateBackend> {}

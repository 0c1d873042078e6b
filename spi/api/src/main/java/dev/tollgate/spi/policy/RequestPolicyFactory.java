package dev.tollgate.spi.policy;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link RequestPolicy} from its configuration. */
public interface RequestPolicyFactory extends ComponentFactory<RequestPolicy> {}

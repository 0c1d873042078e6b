package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptInfo;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.RequestPolicy;
import java.util.concurrent.CompletionStage;

/** Calls a plugin's {@link RequestPolicy} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeRequestPolicy implements RequestPolicy {

    private final RequestPolicy delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeRequestPolicy(RequestPolicy delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public PolicyPhase phase() {
        return ContextClassLoader.call(loader, delegate::phase);
    }

    @Override
    public CompletionStage<Admission> admit(PolicyRequest request) {
        return ContextClassLoader.call(loader, () -> delegate.admit(request));
    }

    @Override
    public CompletionStage<Admission> beforeAttempt(PolicyRequest request, Admission admission, AttemptInfo attempt) {
        return ContextClassLoader.call(loader, () -> delegate.beforeAttempt(request, admission, attempt));
    }

    @Override
    public CompletionStage<Void> settle(PolicyRequest request, Admission admission, Outcome outcome) {
        return ContextClassLoader.call(loader, () -> delegate.settle(request, admission, outcome));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }
}

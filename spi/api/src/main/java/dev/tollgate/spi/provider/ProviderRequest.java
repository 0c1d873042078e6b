package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.request.RequestFacts;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One attempt of a chat request on one deployment, as the adapter sees it. Built by the kernel
 * (the testkit builds them for adapter tests).
 */
public final class ProviderRequest {

    private final String requestId;
    private final String model;
    private final String upstreamModel;
    private final String deploymentId;
    private final RequestFacts facts;
    private final Bytes nativeBody;
    private final Supplier<ChatRequest> canonical;
    private final Headers clientHeaders;
    private final ModelInfo modelInfo;

    private ProviderRequest(Builder b) {
        this.requestId = requireNonNull(b.requestId, "requestId is null");
        this.model = requireNonNull(b.model, "model is null");
        this.upstreamModel = requireNonNull(b.upstreamModel, "upstreamModel is null");
        this.deploymentId = requireNonNull(b.deploymentId, "deploymentId is null");
        this.facts = requireNonNull(b.facts, "facts is null");
        this.nativeBody = b.nativeBody;
        this.canonical = requireNonNull(b.canonical, "canonical is null");
        this.clientHeaders = b.clientHeaders;
        this.modelInfo = b.modelInfo;
    }

    /**
     * @param canonical parses the client's body into the canonical model on first use (and caches
     *                  it); it throws a 400 {@link dev.tollgate.spi.GatewayException} when the body
     *                  cannot be translated
     */
    public static Builder builder(String requestId, RequestFacts facts, Supplier<ChatRequest> canonical) {
        return new Builder(requestId, facts, canonical);
    }

    /** The gateway's request id, to pass upstream for correlation. */
    public String requestId() {
        return requestId;
    }

    /** The model name the client asked for. */
    public String model() {
        return model;
    }

    /** The deployment's model name at the provider. */
    public String upstreamModel() {
        return upstreamModel;
    }

    /** The deployment, for example {@code gpt-4o#0}. */
    public String deploymentId() {
        return deploymentId;
    }

    /** What the kernel learned of the request in its validating pass. */
    public RequestFacts facts() {
        return facts;
    }

    /** The format the client wrote the request in. */
    public WireFormat format() {
        return facts.format();
    }

    /**
     * The client's body, validated, when it passes through: present exactly when {@link #format()}
     * is one of the adapter's native formats. The answer must then be in that format.
     */
    public Optional<Bytes> nativeBody() {
        return Optional.ofNullable(nativeBody);
    }

    public boolean passThrough() {
        return nativeBody != null;
    }

    /**
     * The request in the canonical model, parsed on first call (translating adapters only; a
     * pass-through adapter never pays for it). Its model is the client's; render
     * {@link #upstreamModel()} instead.
     *
     * @throws dev.tollgate.spi.GatewayException 400 when the body cannot be translated
     */
    public ChatRequest canonical() {
        return canonical.get();
    }

    /**
     * The client's headers a provider of the same API may need (for example {@code anthropic-beta},
     * {@code anthropic-version}, {@code openai-beta}), without credentials or hop-by-hop headers.
     */
    public Headers clientHeaders() {
        return clientHeaders;
    }

    /** What the catalog knows of the deployment's model. */
    public Optional<ModelInfo> modelInfo() {
        return Optional.ofNullable(modelInfo);
    }

    @Override
    public String toString() {
        return "ProviderRequest[" + requestId + " " + model + " -> " + deploymentId + " (" + upstreamModel + "), "
                + facts.format() + (passThrough() ? " native" : " translated") + "]";
    }

    /** Builds {@link ProviderRequest}s. */
    public static final class Builder {
        private final String requestId;
        private final RequestFacts facts;
        private final Supplier<ChatRequest> canonical;
        private String model;
        private String upstreamModel;
        private String deploymentId;
        private Bytes nativeBody;
        private Headers clientHeaders = Headers.EMPTY;
        private ModelInfo modelInfo;

        private Builder(String requestId, RequestFacts facts, Supplier<ChatRequest> canonical) {
            this.requestId = requestId;
            this.facts = facts;
            this.canonical = canonical;
            this.model = facts == null ? null : facts.model();
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder deployment(String deploymentId, String upstreamModel) {
            this.deploymentId = deploymentId;
            this.upstreamModel = upstreamModel;
            return this;
        }

        /** Marks the request as passing through with this body. */
        public Builder nativeBody(Bytes body) {
            this.nativeBody = body;
            return this;
        }

        public Builder clientHeaders(Headers headers) {
            this.clientHeaders = requireNonNull(headers, "headers is null");
            return this;
        }

        public Builder modelInfo(ModelInfo info) {
            this.modelInfo = info;
            return this;
        }

        public ProviderRequest build() {
            return new ProviderRequest(this);
        }
    }
}

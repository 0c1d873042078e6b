package dev.tollgate.spi.request;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.WireFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the kernel learned about a request in its one validating pass over the body, handed to
 * every stage and plugin so that none re-parses the body for these. Built by the kernel; the
 * testkit builds them for tests.
 */
public final class RequestFacts {

    private final WireFormat format;
    private final String model;
    private final boolean stream;
    private final boolean includeUsage;
    private final int maxTokens;
    private final String user;
    private final long promptTokenEstimate;
    private final int messageCount;
    private final boolean usesTools;
    private final boolean usesImages;
    private final boolean usesJsonSchema;
    private final boolean usesReasoning;
    private final Map<String, String> metadata;

    private RequestFacts(Builder b) {
        this.format = requireNonNull(b.format, "format is null");
        this.model = requireNonNull(b.model, "model is null");
        this.stream = b.stream;
        this.includeUsage = b.includeUsage;
        this.maxTokens = b.maxTokens;
        this.user = b.user;
        if (b.promptTokenEstimate < 0) {
            throw new IllegalArgumentException("promptTokenEstimate must not be negative");
        }
        this.promptTokenEstimate = b.promptTokenEstimate;
        this.messageCount = b.messageCount;
        this.usesTools = b.usesTools;
        this.usesImages = b.usesImages;
        this.usesJsonSchema = b.usesJsonSchema;
        this.usesReasoning = b.usesReasoning;
        this.metadata = b.metadata.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    }

    public static Builder builder(WireFormat format, String model) {
        return new Builder(format, model);
    }

    /** The inbound format the body is written in. */
    public WireFormat format() {
        return format;
    }

    /** The model the client asked for. */
    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** Whether a streaming client asked for usage in the stream (always true for Anthropic clients). */
    public boolean includeUsage() {
        return includeUsage;
    }

    /** The client's output limit, when it set one. */
    public OptionalInt maxTokens() {
        return maxTokens < 0 ? OptionalInt.empty() : OptionalInt.of(maxTokens);
    }

    /** The end user the client names, when it names one. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * An upper-leaning estimate of the prompt's tokens, for admission and routing before the
     * provider counts: about four characters of text per token plus a per-message and per-image
     * allowance. Settlement uses the provider's real count.
     */
    public long promptTokenEstimate() {
        return promptTokenEstimate;
    }

    /** Messages in the request (embeddings: inputs). */
    public int messageCount() {
        return messageCount;
    }

    /** Whether the request offers tools (or carries tool calls and results). */
    public boolean usesTools() {
        return usesTools;
    }

    public boolean usesImages() {
        return usesImages;
    }

    /** Whether the answer must match a JSON schema. */
    public boolean usesJsonSchema() {
        return usesJsonSchema;
    }

    /** Whether the request asks for reasoning (an effort, a thinking budget) or carries thinking blocks. */
    public boolean usesReasoning() {
        return usesReasoning;
    }

    /** String metadata tags the client attached. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "RequestFacts[" + format + " model=" + model + " stream=" + stream + " promptEstimate=" + promptTokenEstimate + "]";
    }

    /** Builds {@link RequestFacts}. */
    public static final class Builder {
        private final WireFormat format;
        private final String model;
        private boolean stream;
        private boolean includeUsage;
        private int maxTokens = -1;
        private String user;
        private long promptTokenEstimate;
        private int messageCount;
        private boolean usesTools;
        private boolean usesImages;
        private boolean usesJsonSchema;
        private boolean usesReasoning;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(WireFormat format, String model) {
            this.format = format;
            this.model = model;
        }

        public Builder stream(boolean v) {
            this.stream = v;
            return this;
        }

        public Builder includeUsage(boolean v) {
            this.includeUsage = v;
            return this;
        }

        /** The client's output limit; a negative value means none. */
        public Builder maxTokens(int v) {
            this.maxTokens = v < 0 ? -1 : v;
            return this;
        }

        public Builder user(String v) {
            this.user = v;
            return this;
        }

        public Builder promptTokenEstimate(long v) {
            this.promptTokenEstimate = v;
            return this;
        }

        public Builder messageCount(int v) {
            this.messageCount = v;
            return this;
        }

        public Builder usesTools(boolean v) {
            this.usesTools = v;
            return this;
        }

        public Builder usesImages(boolean v) {
            this.usesImages = v;
            return this;
        }

        public Builder usesJsonSchema(boolean v) {
            this.usesJsonSchema = v;
            return this;
        }

        public Builder usesReasoning(boolean v) {
            this.usesReasoning = v;
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        public RequestFacts build() {
            return new RequestFacts(this);
        }
    }
}

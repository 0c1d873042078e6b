package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chat request in the gateway's canonical model: what every inbound codec parses to and every
 * translating provider adapter renders from. Built with {@link #builder()}; new fields are added
 * to the builder, so adding one never breaks a plugin.
 *
 * <p>Fields a format has but the canonical model does not name are kept in {@link #extra()}, as
 * JSON, with the {@link #extraFormat() format} they came from: a renderer of that same format may
 * write them back; a renderer of another format ignores them.
 */
public final class ChatRequest {

    private final String model;
    private final List<ContentBlock> system;
    private final List<Message> messages;
    private final List<Tool> tools;
    private final ToolChoice toolChoice;
    private final Boolean parallelToolCalls;
    private final ResponseFormat responseFormat;
    private final Double temperature;
    private final Double topP;
    private final Integer topK;
    private final Long seed;
    private final Double presencePenalty;
    private final Double frequencyPenalty;
    private final List<String> stop;
    private final Integer maxTokens;
    private final Reasoning reasoning;
    private final String user;
    private final Map<String, String> metadata;
    private final boolean stream;
    private final boolean includeUsage;
    private final WireFormat extraFormat;
    private final Map<String, RawJson> extra;

    private ChatRequest(Builder b) {
        this.model = requireNonNull(b.model, "model is null");
        this.system = List.copyOf(b.system);
        for (ContentBlock block : system) {
            if (!(block instanceof ContentBlock.Text)) {
                throw new IllegalArgumentException("system instructions are text blocks, not " + block.kind());
            }
        }
        this.messages = List.copyOf(b.messages);
        this.tools = List.copyOf(b.tools);
        this.toolChoice = b.toolChoice;
        this.parallelToolCalls = b.parallelToolCalls;
        this.responseFormat = b.responseFormat;
        this.temperature = b.temperature;
        this.topP = b.topP;
        this.topK = b.topK;
        this.seed = b.seed;
        this.presencePenalty = b.presencePenalty;
        this.frequencyPenalty = b.frequencyPenalty;
        this.stop = List.copyOf(b.stop);
        if (b.maxTokens != null && b.maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive");
        }
        this.maxTokens = b.maxTokens;
        this.reasoning = b.reasoning;
        this.user = b.user;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.stream = b.stream;
        this.includeUsage = b.includeUsage;
        this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
        if (!extra.isEmpty() && b.extraFormat == null) {
            throw new IllegalArgumentException("extra fields need the format they came from");
        }
        this.extraFormat = b.extraFormat;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder seeded with this request, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.system.addAll(system);
        b.messages.addAll(messages);
        b.tools.addAll(tools);
        b.toolChoice = toolChoice;
        b.parallelToolCalls = parallelToolCalls;
        b.responseFormat = responseFormat;
        b.temperature = temperature;
        b.topP = topP;
        b.topK = topK;
        b.seed = seed;
        b.presencePenalty = presencePenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.stop.addAll(stop);
        b.maxTokens = maxTokens;
        b.reasoning = reasoning;
        b.user = user;
        b.metadata.putAll(metadata);
        b.stream = stream;
        b.includeUsage = includeUsage;
        b.extraFormat = extraFormat;
        b.extra.putAll(extra);
        return b;
    }

    /** The model name as the request gives it (the client's name until an adapter replaces it). */
    public String model() {
        return model;
    }

    /** Leading instructions: {@link ContentBlock.Text} blocks (OpenAI system/developer messages, Anthropic {@code system}). */
    public List<ContentBlock> system() {
        return system;
    }

    public List<Message> messages() {
        return messages;
    }

    public List<Tool> tools() {
        return tools;
    }

    public Optional<ToolChoice> toolChoice() {
        return Optional.ofNullable(toolChoice);
    }

    /** OpenAI {@code parallel_tool_calls}; Anthropic's {@code disable_parallel_tool_use} inverted. */
    public Optional<Boolean> parallelToolCalls() {
        return Optional.ofNullable(parallelToolCalls);
    }

    public Optional<ResponseFormat> responseFormat() {
        return Optional.ofNullable(responseFormat);
    }

    public Optional<Double> temperature() {
        return Optional.ofNullable(temperature);
    }

    public Optional<Double> topP() {
        return Optional.ofNullable(topP);
    }

    public Optional<Integer> topK() {
        return Optional.ofNullable(topK);
    }

    public Optional<Long> seed() {
        return Optional.ofNullable(seed);
    }

    public Optional<Double> presencePenalty() {
        return Optional.ofNullable(presencePenalty);
    }

    public Optional<Double> frequencyPenalty() {
        return Optional.ofNullable(frequencyPenalty);
    }

    public List<String> stop() {
        return stop;
    }

    /** The output limit (OpenAI {@code max_completion_tokens} or {@code max_tokens}, Anthropic {@code max_tokens}). */
    public Optional<Integer> maxTokens() {
        return Optional.ofNullable(maxTokens);
    }

    public Optional<Reasoning> reasoning() {
        return Optional.ofNullable(reasoning);
    }

    /** The end user the client names (OpenAI {@code user}, Anthropic {@code metadata.user_id}). */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** String metadata the client attached (OpenAI {@code metadata}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean stream() {
        return stream;
    }

    /** Whether a streaming client asked for usage (OpenAI {@code stream_options.include_usage}; Anthropic always gets it). */
    public boolean includeUsage() {
        return includeUsage;
    }

    /** The format {@link #extra()} was written in, or {@code null} when there are none. */
    public WireFormat extraFormat() {
        return extraFormat;
    }

    /** Top-level fields of the source format the canonical model does not name, by name, as JSON. */
    public Map<String, RawJson> extra() {
        return extra;
    }

    /** Whether any message holds a {@link ContentBlock.Image}. */
    public boolean hasImages() {
        for (Message m : messages) {
            for (ContentBlock b : m.content()) {
                if (b instanceof ContentBlock.Image) {
                    return true;
                }
                if (b instanceof ContentBlock.ToolResult r && r.content().stream().anyMatch(c -> c instanceof ContentBlock.Image)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ChatRequest[model=" + model + ", messages=" + messages.size() + ", tools=" + tools.size() + ", stream=" + stream + "]";
    }

    /** Builds {@link ChatRequest}s; only {@link #model} is required. */
    public static final class Builder {
        private String model;
        private final List<ContentBlock> system = new ArrayList<>();
        private final List<Message> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();
        private ToolChoice toolChoice;
        private Boolean parallelToolCalls;
        private ResponseFormat responseFormat;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Long seed;
        private Double presencePenalty;
        private Double frequencyPenalty;
        private final List<String> stop = new ArrayList<>();
        private Integer maxTokens;
        private Reasoning reasoning;
        private String user;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private boolean stream;
        private boolean includeUsage;
        private WireFormat extraFormat;
        private final Map<String, RawJson> extra = new LinkedHashMap<>();

        private Builder() {}

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder system(List<ContentBlock> blocks) {
            system.clear();
            system.addAll(blocks);
            return this;
        }

        public Builder addSystem(String text) {
            system.add(ContentBlock.Text.of(text));
            return this;
        }

        public Builder messages(List<Message> list) {
            messages.clear();
            messages.addAll(list);
            return this;
        }

        public Builder addMessage(Message message) {
            messages.add(requireNonNull(message, "message is null"));
            return this;
        }

        public Builder tools(List<Tool> list) {
            tools.clear();
            tools.addAll(list);
            return this;
        }

        public Builder addTool(Tool tool) {
            tools.add(requireNonNull(tool, "tool is null"));
            return this;
        }

        public Builder toolChoice(ToolChoice choice) {
            this.toolChoice = choice;
            return this;
        }

        public Builder parallelToolCalls(Boolean parallel) {
            this.parallelToolCalls = parallel;
            return this;
        }

        public Builder responseFormat(ResponseFormat format) {
            this.responseFormat = format;
            return this;
        }

        public Builder temperature(Double v) {
            this.temperature = v;
            return this;
        }

        public Builder topP(Double v) {
            this.topP = v;
            return this;
        }

        public Builder topK(Integer v) {
            this.topK = v;
            return this;
        }

        public Builder seed(Long v) {
            this.seed = v;
            return this;
        }

        public Builder presencePenalty(Double v) {
            this.presencePenalty = v;
            return this;
        }

        public Builder frequencyPenalty(Double v) {
            this.frequencyPenalty = v;
            return this;
        }

        public Builder stop(List<String> sequences) {
            stop.clear();
            stop.addAll(sequences);
            return this;
        }

        public Builder maxTokens(Integer v) {
            this.maxTokens = v;
            return this;
        }

        public Builder reasoning(Reasoning r) {
            this.reasoning = r;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder metadata(Map<String, String> m) {
            metadata.clear();
            metadata.putAll(m);
            return this;
        }

        public Builder stream(boolean stream) {
            this.stream = stream;
            return this;
        }

        public Builder includeUsage(boolean include) {
            this.includeUsage = include;
            return this;
        }

        /** Replaces the extra fields and the format they came from. */
        public Builder extra(WireFormat format, Map<String, RawJson> fields) {
            extra.clear();
            extra.putAll(fields);
            extraFormat = fields.isEmpty() ? null : format;
            return this;
        }

        public ChatRequest build() {
            return new ChatRequest(this);
        }
    }
}

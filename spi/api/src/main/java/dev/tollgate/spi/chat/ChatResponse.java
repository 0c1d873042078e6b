package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A complete assistant answer in the canonical model. Built with {@link #builder()}.
 */
public final class ChatResponse {

    private final String id;
    private final String model;
    private final List<ContentBlock> content;
    private final StopReason stopReason;
    private final String stopSequence;
    private final Usage usage;
    private final long createdEpochSeconds;

    private ChatResponse(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.model = requireNonNull(b.model, "model is null");
        this.content = List.copyOf(b.content);
        this.stopReason = requireNonNull(b.stopReason, "stopReason is null");
        this.stopSequence = b.stopSequence;
        this.usage = b.usage;
        this.createdEpochSeconds = b.createdEpochSeconds;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().id(id).model(model).content(content).stopReason(stopReason).stopSequence(stopSequence)
                .usage(usage).created(createdEpochSeconds);
        return b;
    }

    /** The provider's id for the answer. */
    public String id() {
        return id;
    }

    /** The model that answered, as the provider names it. */
    public String model() {
        return model;
    }

    /** The assistant's blocks in order. */
    public List<ContentBlock> content() {
        return content;
    }

    public StopReason stopReason() {
        return stopReason;
    }

    /** The stop sequence that matched, when {@link #stopReason()} is {@link StopReason#STOP_SEQUENCE} and the provider says which. */
    public Optional<String> stopSequence() {
        return Optional.ofNullable(stopSequence);
    }

    /** Usage, or empty when the provider reported none. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** When the answer was created, epoch seconds; 0 when unknown. */
    public long created() {
        return createdEpochSeconds;
    }

    /** The concatenated text of the {@link ContentBlock.Text} blocks. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : content) {
            if (b instanceof ContentBlock.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ChatResponse[id=" + id + ", model=" + model + ", blocks=" + content.size() + ", stop=" + stopReason + ", usage=" + usage + "]";
    }

    /** Builds {@link ChatResponse}s. */
    public static final class Builder {
        private String id;
        private String model;
        private final List<ContentBlock> content = new ArrayList<>();
        private StopReason stopReason = StopReason.END_TURN;
        private String stopSequence;
        private Usage usage;
        private long createdEpochSeconds;

        private Builder() {}

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder content(List<ContentBlock> blocks) {
            content.clear();
            content.addAll(blocks);
            return this;
        }

        public Builder addContent(ContentBlock block) {
            content.add(requireNonNull(block, "block is null"));
            return this;
        }

        public Builder stopReason(StopReason reason) {
            this.stopReason = reason;
            return this;
        }

        public Builder stopSequence(String sequence) {
            this.stopSequence = sequence;
            return this;
        }

        public Builder usage(Usage usage) {
            this.usage = usage;
            return this;
        }

        public Builder created(long epochSeconds) {
            this.createdEpochSeconds = epochSeconds;
            return this;
        }

        public ChatResponse build() {
            return new ChatResponse(this);
        }
    }
}

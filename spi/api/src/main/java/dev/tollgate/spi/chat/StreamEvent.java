package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

/**
 * One event of a streamed answer in the canonical model.
 *
 * <p>The order is fixed: one {@link MessageStart}; then content blocks, numbered from 0 in the order
 * they start, each as a {@link BlockStart}, deltas of its kind and a {@link BlockStop}; then one
 * {@link MessageEnd}. At most one block is open at a time. Deltas only ever append: the block's
 * text, thinking, signature or tool arguments are the concatenation of its deltas (after the
 * initial value its {@code BlockStart} carries). Inbound codecs render these events in the
 * client's framing (OpenAI chunks, Anthropic named events); translating adapters produce them.
 */
public sealed interface StreamEvent {

    /**
     * The answer begins.
     *
     * @param id    the provider's id for the answer
     * @param model the model that answers, as the provider names it
     * @param usage input usage when the provider reports it this early (Anthropic), else {@code null}
     */
    record MessageStart(String id, String model, Usage usage) implements StreamEvent {
        public MessageStart {
            requireNonNull(id, "id is null");
            requireNonNull(model, "model is null");
        }
    }

    /**
     * A content block begins.
     *
     * @param index the block's number
     * @param block its initial value: an empty {@link ContentBlock.Text} or {@link ContentBlock.Thinking},
     *              a {@link ContentBlock.ToolUse} with id, name and (usually empty) arguments, or a
     *              complete {@link ContentBlock.RedactedThinking}
     */
    record BlockStart(int index, ContentBlock block) implements StreamEvent {
        public BlockStart {
            requireNonNull(block, "block is null");
            if (index < 0) {
                throw new IllegalArgumentException("index must not be negative");
            }
            switch (block.kind()) {
                case TEXT, THINKING, TOOL_USE, REDACTED_THINKING -> { }
                default -> throw new IllegalArgumentException("a stream has no " + block.kind() + " blocks");
            }
        }
    }

    /** Text appended to text block {@code index}. */
    record TextDelta(int index, String text) implements StreamEvent {
        public TextDelta {
            requireNonNull(text, "text is null");
        }
    }

    /** Reasoning appended to thinking block {@code index}. */
    record ThinkingDelta(int index, String thinking) implements StreamEvent {
        public ThinkingDelta {
            requireNonNull(thinking, "thinking is null");
        }
    }

    /** Signature text appended to thinking block {@code index}. */
    record SignatureDelta(int index, String signature) implements StreamEvent {
        public SignatureDelta {
            requireNonNull(signature, "signature is null");
        }
    }

    /** A piece of the JSON arguments of tool-use block {@code index}; pieces may split anywhere. */
    record ToolArgumentsDelta(int index, String json) implements StreamEvent {
        public ToolArgumentsDelta {
            requireNonNull(json, "json is null");
        }
    }

    /** Block {@code index} is complete. */
    record BlockStop(int index) implements StreamEvent {}

    /**
     * The answer is complete.
     *
     * @param stopReason   why the model stopped
     * @param stopSequence the stop sequence that matched, or {@code null}
     * @param usage        the usage of the whole call, or {@code null} when the provider reported none
     */
    record MessageEnd(StopReason stopReason, String stopSequence, Usage usage) implements StreamEvent {
        public MessageEnd {
            requireNonNull(stopReason, "stopReason is null");
        }
    }
}

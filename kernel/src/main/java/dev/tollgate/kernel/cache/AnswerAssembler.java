package dev.tollgate.kernel.cache;

import dev.tollgate.formats.anthropic.AnthropicEventReader;
import dev.tollgate.formats.openai.OpenAiChatResponses;
import dev.tollgate.formats.openai.OpenAiChunkReader;
import dev.tollgate.formats.anthropic.AnthropicResponses;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects one streamed answer for the cache: the canonical events of a translated stream, or the
 * event data of a pass-through stream (parsed once, at its end, with the format's reader). Bounded:
 * past {@code maxBytes} of answer it gives up and the answer is simply not stored. Not thread-safe;
 * used on the request's I/O thread.
 */
public final class AnswerAssembler {

    private static final Warnings IGNORE = (what, value) -> {};

    private final WireFormat format;
    private final long maxBytes;
    private long bytes;
    private boolean overflow;
    private List<StreamEvent> events;
    private List<byte[]> nativeData;

    public AnswerAssembler(WireFormat format, long maxBytes) {
        this.format = format;
        this.maxBytes = maxBytes;
    }

    public void event(StreamEvent e) {
        if (overflow) {
            return;
        }
        bytes += switch (e) {
            case StreamEvent.TextDelta t -> t.text().length();
            case StreamEvent.ThinkingDelta t -> t.thinking().length();
            case StreamEvent.SignatureDelta s -> s.signature().length();
            case StreamEvent.ToolArgumentsDelta t -> t.json().length();
            default -> 16;
        };
        if (bytes > maxBytes) {
            giveUp();
            return;
        }
        if (events == null) {
            events = new ArrayList<>();
        }
        events.add(e);
    }

    /** One server-sent event of a pass-through stream; {@code data} is copied. */
    public void nativeEvent(Bytes data) {
        if (overflow) {
            return;
        }
        bytes += data.length();
        if (bytes > maxBytes) {
            giveUp();
            return;
        }
        if (nativeData == null) {
            nativeData = new ArrayList<>();
        }
        nativeData.add(data.toArray());
    }

    private void giveUp() {
        overflow = true;
        events = null;
        nativeData = null;
    }

    /**
     * The whole answer, or null when it cannot be cached: too large, unreadable, without a message
     * end, or with a block the cache does not carry. {@code observed} is the usage the kernel saw
     * (an observation), used when the events carried none.
     */
    public ChatResponse finish(Usage observed) {
        if (overflow) {
            return null;
        }
        List<StreamEvent> all = events;
        if (nativeData != null) {
            all = new ArrayList<>();
            List<StreamEvent> out = all;
            try {
                switch (format) {
                    case OPENAI_CHAT -> {
                        OpenAiChunkReader r = new OpenAiChunkReader(out::add, IGNORE);
                        for (byte[] d : nativeData) {
                            r.feed(d, 0, d.length);
                        }
                        r.end();
                    }
                    case ANTHROPIC_MESSAGES -> {
                        AnthropicEventReader r = new AnthropicEventReader(out::add, IGNORE);
                        for (byte[] d : nativeData) {
                            r.feed(d, 0, d.length);
                        }
                        r.end();
                    }
                    default -> {
                        return null;
                    }
                }
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
        return all == null ? null : assemble(all, observed);
    }

    /**
     * Whether pass-through answers in {@code format} can be read for the cache. Not OpenAI Responses:
     * such an answer names the provider's stored object (its {@code resp_...} id), which a replay
     * would hand out again, so passed-through Responses answers are never cached.
     */
    public static boolean readsNative(WireFormat format) {
        return format == WireFormat.OPENAI_CHAT || format == WireFormat.ANTHROPIC_MESSAGES;
    }

    /** A whole pass-through answer in {@code format}, parsed; null when it cannot be read. */
    public static ChatResponse parseNative(WireFormat format, Bytes body) {
        byte[] a = body.toArray();
        try {
            return switch (format) {
                case OPENAI_CHAT -> OpenAiChatResponses.parse(a, 0, a.length, IGNORE);
                case ANTHROPIC_MESSAGES -> AnthropicResponses.parse(a, 0, a.length, IGNORE);
                default -> null;
            };
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** The response a well-formed canonical stream carried; null without a message start and end. */
    static ChatResponse assemble(List<StreamEvent> events, Usage observed) {
        String id = null;
        String model = null;
        Usage usage = null;
        StreamEvent.MessageEnd end = null;
        List<ContentBlock> blocks = new ArrayList<>();
        List<StringBuilder> text = new ArrayList<>();
        List<StringBuilder> signatures = new ArrayList<>();
        for (StreamEvent e : events) {
            switch (e) {
                case StreamEvent.MessageStart s -> {
                    id = s.id();
                    model = s.model();
                    usage = s.usage();
                }
                case StreamEvent.BlockStart s -> {
                    if (s.index() != blocks.size()) {
                        return null;
                    }
                    blocks.add(s.block());
                    text.add(new StringBuilder(initial(s.block())));
                    signatures.add(s.block() instanceof ContentBlock.Thinking t && t.signature() != null
                            ? new StringBuilder(t.signature()) : null);
                }
                case StreamEvent.TextDelta d -> {
                    if (!append(text, d.index(), d.text())) {
                        return null;
                    }
                }
                case StreamEvent.ThinkingDelta d -> {
                    if (!append(text, d.index(), d.thinking())) {
                        return null;
                    }
                }
                case StreamEvent.ToolArgumentsDelta d -> {
                    if (!append(text, d.index(), d.json())) {
                        return null;
                    }
                }
                case StreamEvent.SignatureDelta d -> {
                    if (d.index() < 0 || d.index() >= signatures.size()) {
                        return null;
                    }
                    StringBuilder sb = signatures.get(d.index());
                    signatures.set(d.index(), sb == null ? new StringBuilder(d.signature()) : sb.append(d.signature()));
                }
                case StreamEvent.BlockStop ignored -> {
                    // blocks are complete at the end
                }
                case StreamEvent.MessageEnd m -> end = m;
            }
        }
        if (id == null || model == null || end == null) {
            return null;
        }
        ChatResponse.Builder b = ChatResponse.builder().id(id).model(model).stopReason(end.stopReason())
                .stopSequence(end.stopSequence());
        for (int i = 0; i < blocks.size(); i++) {
            ContentBlock block = blocks.get(i);
            String t = text.get(i).toString();
            ContentBlock done = switch (block) {
                case ContentBlock.Text x -> ContentBlock.Text.of(t);
                case ContentBlock.Thinking x -> new ContentBlock.Thinking(t,
                        signatures.get(i) == null ? null : signatures.get(i).toString());
                case ContentBlock.ToolUse x -> new ContentBlock.ToolUse(x.id(), x.name(), t);
                case ContentBlock.RedactedThinking x -> x;
                default -> null;
            };
            if (done == null) {
                return null;
            }
            b.addContent(done);
        }
        Usage u = end.usage() != null ? end.usage() : observed != null ? observed : usage;
        return b.usage(u).build();
    }

    private static String initial(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Text t -> t.text();
            case ContentBlock.Thinking t -> t.thinking();
            case ContentBlock.ToolUse t -> t.arguments();
            default -> "";
        };
    }

    private static boolean append(List<StringBuilder> text, int index, String s) {
        if (index < 0 || index >= text.size()) {
            return false;
        }
        text.get(index).append(s);
        return true;
    }
}

package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import java.util.ArrayList;
import java.util.List;

/** A complete answer as the stream events that would have carried it: for streaming a response that was not streamed. */
final class ResponseEvents {

    private ResponseEvents() {}

    static List<StreamEvent> of(ChatResponse r) {
        List<StreamEvent> out = new ArrayList<>();
        out.add(new StreamEvent.MessageStart(r.id(), r.model(), null));
        int index = 0;
        for (ContentBlock b : r.content()) {
            switch (b) {
                case ContentBlock.Text t -> {
                    out.add(new StreamEvent.BlockStart(index, ContentBlock.Text.of("")));
                    if (!t.text().isEmpty()) {
                        out.add(new StreamEvent.TextDelta(index, t.text()));
                    }
                }
                case ContentBlock.Thinking t -> {
                    out.add(new StreamEvent.BlockStart(index, new ContentBlock.Thinking("", null)));
                    if (!t.thinking().isEmpty()) {
                        out.add(new StreamEvent.ThinkingDelta(index, t.thinking()));
                    }
                    if (t.signature() != null) {
                        out.add(new StreamEvent.SignatureDelta(index, t.signature()));
                    }
                }
                case ContentBlock.ToolUse u -> {
                    out.add(new StreamEvent.BlockStart(index, new ContentBlock.ToolUse(u.id(), u.name(), "")));
                    if (!u.arguments().isEmpty()) {
                        out.add(new StreamEvent.ToolArgumentsDelta(index, u.arguments()));
                    }
                }
                case ContentBlock.RedactedThinking rt -> out.add(new StreamEvent.BlockStart(index, rt));
                default -> {
                    continue;
                }
            }
            out.add(new StreamEvent.BlockStop(index));
            index++;
        }
        out.add(new StreamEvent.MessageEnd(r.stopReason(), r.stopSequence().orElse(null), r.usage().orElse(null)));
        return out;
    }
}

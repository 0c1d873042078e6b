package dev.tollgate.kernel.codec;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.anthropic.AnthropicEventWriter;
import dev.tollgate.formats.anthropic.AnthropicRequests;
import dev.tollgate.formats.anthropic.AnthropicResponses;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;

/**
 * Anthropic Messages: {@code POST /v1/messages}, named SSE events in Anthropic's order (the
 * stream's own {@code message_stop} ends it), Anthropic error JSON.
 */
public final class AnthropicMessagesCodec implements ChatCodec {

    private final TranslationWarnings warnings;

    public AnthropicMessagesCodec(TranslationWarnings warnings) {
        this.warnings = warnings;
    }

    @Override
    public WireFormat format() {
        return WireFormat.ANTHROPIC_MESSAGES;
    }

    @Override
    public String path() {
        return "/v1/messages";
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.ANTHROPIC;
    }

    @Override
    public RequestFacts facts(RequestBody body) {
        return AnthropicFacts.parse(body);
    }

    @Override
    public ChatRequest canonical(RequestBody body) {
        try {
            return AnthropicRequests.parse(body.array(), body.offset(), body.length(), warnings);
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    @Override
    public byte[] response(ChatResponse response, RequestFacts facts) {
        return AnthropicResponses.write(response, facts.model(), warnings);
    }

    @Override
    public StreamRenderer streamRenderer(RequestFacts facts, String requestId, long createdEpochSeconds) {
        EventOut[] target = new EventOut[1];
        AnthropicEventWriter events = new AnthropicEventWriter(facts.model(), (name, data) -> target[0].event(name, data), warnings);
        return (event, out) -> {
            target[0] = out;
            events.write(event);
        };
    }

    @Override
    public byte[] terminator() {
        return null;
    }
}

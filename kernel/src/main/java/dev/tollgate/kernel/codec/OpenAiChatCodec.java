package dev.tollgate.kernel.codec;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.openai.OpenAiChatRequests;
import dev.tollgate.formats.openai.OpenAiChatResponses;
import dev.tollgate.formats.openai.OpenAiChunkWriter;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.nio.charset.StandardCharsets;

/** OpenAI Chat Completions: {@code POST /v1/chat/completions}, unnamed SSE events ending with {@code data: [DONE]}. */
public final class OpenAiChatCodec implements ChatCodec {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final TranslationWarnings warnings;

    public OpenAiChatCodec(TranslationWarnings warnings) {
        this.warnings = warnings;
    }

    @Override
    public WireFormat format() {
        return WireFormat.OPENAI_CHAT;
    }

    @Override
    public String path() {
        return "/v1/chat/completions";
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.OPENAI;
    }

    @Override
    public RequestFacts facts(RequestBody body) {
        return OpenAiChatFacts.parse(body);
    }

    @Override
    public ChatRequest canonical(RequestBody body) {
        try {
            return OpenAiChatRequests.parse(body.array(), body.offset(), body.length(), warnings);
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    @Override
    public byte[] response(ChatResponse response, RequestFacts facts) {
        return OpenAiChatResponses.write(response, facts.model(), warnings);
    }

    @Override
    public StreamRenderer streamRenderer(RequestFacts facts, String requestId, long createdEpochSeconds) {
        EventOut[] target = new EventOut[1];
        OpenAiChunkWriter chunks = new OpenAiChunkWriter(facts.model(), createdEpochSeconds, facts.includeUsage(),
                data -> target[0].event(null, data), warnings);
        return (event, out) -> {
            target[0] = out;
            chunks.write(event);
        };
    }

    @Override
    public byte[] terminator() {
        return DONE;
    }
}

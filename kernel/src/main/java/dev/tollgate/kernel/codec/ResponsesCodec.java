package dev.tollgate.kernel.codec;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.openai.ResponseEcho;
import dev.tollgate.formats.openai.ResponsesAnswers;
import dev.tollgate.formats.openai.ResponsesEventWriter;
import dev.tollgate.formats.openai.ResponsesRequests;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;

/**
 * OpenAI Responses: {@code POST /v1/responses}. Translated through the canonical model from any
 * provider, or passed through to a deployment that speaks Responses itself. State ({@code store},
 * {@code previous_response_id}) is the kernel's {@code ResponseState}'s, which hands this codec a body
 * that already holds the whole conversation. Named SSE events whose last
 * one ({@code response.completed}, {@code response.incomplete} or {@code response.failed}) ends the
 * stream; errors in OpenAI's JSON.
 */
public final class ResponsesCodec implements ChatCodec {

    private final TranslationWarnings warnings;

    public ResponsesCodec(TranslationWarnings warnings) {
        this.warnings = warnings;
    }

    @Override
    public WireFormat format() {
        return WireFormat.OPENAI_RESPONSES;
    }

    @Override
    public String path() {
        return "/v1/responses";
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.OPENAI;
    }

    @Override
    public RequestFacts facts(RequestBody body) {
        return ResponsesFacts.parse(body);
    }

    /**
     * Yes: an item or tool the translation cannot carry is a 400 before admission when the request
     * may be translated, whichever provider would then read it.
     */
    @Override
    public boolean translatesAtAdmission() {
        return true;
    }

    @Override
    public ChatRequest canonical(RequestBody body) {
        try {
            return ResponsesRequests.parse(body.array(), body.offset(), body.length(), warnings);
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    @Override
    public byte[] response(ChatResponse response, RequestFacts facts) {
        return response(response, facts, ResponseEcho.STATELESS);
    }

    /** A whole answer whose response object has the id and state fields of {@code echo} (stored Responses). */
    public byte[] response(ChatResponse response, RequestFacts facts, ResponseEcho echo) {
        return ResponsesAnswers.write(response, facts.model(), echo, warnings);
    }

    @Override
    public StreamRenderer streamRenderer(RequestFacts facts, String requestId, long createdEpochSeconds) {
        return streamRenderer(facts, createdEpochSeconds, ResponseEcho.STATELESS);
    }

    /** A stream whose response objects have the id and state fields of {@code echo} (stored Responses). */
    public StreamRenderer streamRenderer(RequestFacts facts, long createdEpochSeconds, ResponseEcho echo) {
        EventOut[] target = new EventOut[1];
        ResponsesEventWriter events = new ResponsesEventWriter(facts.model(), createdEpochSeconds,
                (name, data) -> target[0].event(name, data), echo, warnings);
        return new StreamRenderer() {
            @Override
            public void render(dev.tollgate.spi.chat.StreamEvent event, EventOut out) {
                target[0] = out;
                events.write(event);
            }

            @Override
            public boolean fail(GatewayException error, EventOut out) {
                target[0] = out;
                events.fail(error.code(), error.getMessage(), error.param().orElse(null));
                return true;
            }
        };
    }

    @Override
    public byte[] terminator() {
        return null;
    }
}

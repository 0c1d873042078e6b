package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.formats.openai.RequestEcho;
import dev.tollgate.formats.openai.ResponseEcho;
import dev.tollgate.kernel.codec.ChatCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.codec.ResponsesCodec;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.io.IOException;

/**
 * The Responses codec of one translated request: its answer carries the id the gateway gave it, says
 * whether it is stored and what it continued, and repeats the request's fields ({@code instructions},
 * {@code tools}, ...) as OpenAI's does. A stored answer, once complete (the whole answer rendered, or
 * the stream's {@code response.completed} / {@code response.incomplete}), is handed to
 * {@link ResponseState#storeAnswer} exactly as the client gets it. Everything else is the shared
 * codec's.
 */
public final class OneResponseCodec implements ChatCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResponsesCodec codec;
    private final ResponseState state;
    private final ResponseState.Prepared request;

    public OneResponseCodec(ResponsesCodec codec, ResponseState state, ResponseState.Prepared request) {
        this.codec = requireNonNull(codec, "codec is null");
        this.state = requireNonNull(state, "state is null");
        this.request = requireNonNull(request, "request is null");
    }

    /** Read from the body only when an answer is rendered: a passed-through answer never needs it. */
    private ResponseEcho echo() {
        return new ResponseEcho(request.id(), request.store(), request.previousId(), RequestEcho.of(request.body()));
    }

    @Override
    public WireFormat format() {
        return codec.format();
    }

    @Override
    public String path() {
        return codec.path();
    }

    @Override
    public ErrorFormat errors() {
        return codec.errors();
    }

    @Override
    public RequestFacts facts(RequestBody body) {
        return codec.facts(body);
    }

    @Override
    public boolean translatesAtAdmission() {
        return codec.translatesAtAdmission();
    }

    @Override
    public ChatRequest canonical(RequestBody body) {
        return codec.canonical(body);
    }

    @Override
    public byte[] response(ChatResponse response, RequestFacts facts) {
        byte[] json = codec.response(response, facts, echo());
        state.storeAnswer(request, facts.model(), json);
        return json;
    }

    @Override
    public StreamRenderer streamRenderer(RequestFacts facts, String requestId, long createdEpochSeconds) {
        StreamRenderer inner = codec.streamRenderer(facts, createdEpochSeconds, echo());
        if (!request.store()) {
            return inner;
        }
        return new StreamRenderer() {
            @Override
            public void render(StreamEvent event, EventOut out) {
                inner.render(event, (name, data) -> {
                    if (name.equals("response.completed") || name.equals("response.incomplete")) {
                        byte[] response = responseOf(data);
                        if (response != null) {
                            state.storeAnswer(request, facts.model(), response);
                        }
                    }
                    out.event(name, data);
                });
            }

            @Override
            public boolean fail(GatewayException error, EventOut out) {
                return inner.fail(error, out);
            }
        };
    }

    /** The {@code response} object of a lifecycle event. */
    private static byte[] responseOf(byte[] event) {
        try {
            JsonNode response = JSON.readTree(event).get("response");
            return response == null ? null : JSON.writeValueAsBytes(response);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public byte[] terminator() {
        return codec.terminator();
    }
}

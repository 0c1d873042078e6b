package dev.tollgate.kernel.codec;

import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;

/**
 * One inbound chat API: it owns its endpoint's validation, its error shape and its stream
 * framing. Pass-through bytes are the provider's; everything the gateway itself writes to a client
 * of this API (translated answers, stream events, the stream terminator, errors) comes from here.
 */
public interface ChatCodec {

    WireFormat format();

    /** The canonical path, for example {@code /v1/chat/completions}. */
    String path();

    ErrorFormat errors();

    /** Validates the body in one pass. @throws dev.tollgate.spi.GatewayException 400 naming the field */
    RequestFacts facts(RequestBody body);

    /** Parses the body into the canonical model (translating path only). @throws dev.tollgate.spi.GatewayException 400 */
    ChatRequest canonical(RequestBody body);

    /**
     * Whether a request that may be translated is parsed into the canonical model at admission, so
     * that what the translation cannot carry is refused before anything else happens (the parse is
     * then handed on, never repeated). {@code false}: parsed when an attempt first translates.
     * Requests whose every deployment passes them through are never parsed either way.
     */
    default boolean translatesAtAdmission() {
        return false;
    }

    /** A non-streamed answer in this API's JSON. */
    byte[] response(ChatResponse response, RequestFacts facts);

    /** Renders one stream's canonical events in this API's framing. */
    StreamRenderer streamRenderer(RequestFacts facts, String requestId, long createdEpochSeconds);

    /** The data of the event that ends a stream normally (OpenAI's {@code [DONE]}), or {@code null} when the API has none. */
    byte[] terminator();

    /** Renders the canonical events of one stream. Not thread-safe: one per stream. */
    interface StreamRenderer {
        void render(StreamEvent event, EventOut out);

        /**
         * Ends a failed stream in this API's own way, returning {@code true}; {@code false} (the
         * default) leaves it to the {@link ErrorFormat}'s error event.
         */
        default boolean fail(dev.tollgate.spi.GatewayException error, EventOut out) {
            return false;
        }
    }

    /** Receives rendered server-sent events. */
    interface EventOut {
        void event(String name, byte[] data);
    }
}

package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ResponseSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A pass-through answer (chat completion, embeddings or Responses {@code response}) on its way to
 * the client. An answer up to {@link #HOLD_LIMIT} bytes is held whole, checked (a JSON object with
 * {@code choices}, {@code data} or {@code output}) and forwarded byte for byte, so a malformed one is still a 502. A larger one —
 * batch embeddings, long logprobs — is relayed as it arrives once that much has come, so memory
 * stays bounded by the limit whatever the provider sends; its structure and usage are then
 * followed by a {@link StreamingScan}, and a broken end cuts the connection. Error statuses are
 * read (capped) and mapped.
 *
 * <p>Its callbacks arrive on the call's thread one at a time.
 */
final class NativeAnswer<T> implements ResponseHandler {

    /** Bytes held before relaying starts. */
    static final int HOLD_LIMIT = 256 * 1024;

    private enum State { AWAITING_HEADERS, HOLDING, RELAYING, ERROR_BODY, ENDED }

    /** What the answer is, by the top-level array it must have. */
    enum Kind {
        CHAT("choices"),
        EMBEDDINGS("data"),
        /** A Responses {@code response}: its {@code id} is reported, the client may name it again. */
        RESPONSES("output");

        final String requiredArray;

        Kind(String requiredArray) {
            this.requiredArray = requiredArray;
        }
    }

    private final ResponseSink<T> sink;
    private final ErrorMapping errors;
    private final Kind kind;
    private final int holdLimit;
    private State state = State.AWAITING_HEADERS;
    private int status;
    private Headers headers;
    private long declaredLength = -1;
    private byte[] held = new byte[0];
    private int heldLength;
    private ResponseSink.NativeBody relay;
    private StreamingScan scan;

    NativeAnswer(ResponseSink<T> sink, ErrorMapping errors, Kind kind) {
        this(sink, errors, kind, HOLD_LIMIT);
    }

    NativeAnswer(ResponseSink<T> sink, ErrorMapping errors, boolean embeddings, int holdLimit) {
        this(sink, errors, embeddings ? Kind.EMBEDDINGS : Kind.CHAT, holdLimit);
    }

    NativeAnswer(ResponseSink<T> sink, ErrorMapping errors, Kind kind, int holdLimit) {
        this.sink = sink;
        this.errors = errors;
        this.kind = kind;
        this.holdLimit = holdLimit;
    }

    @Override
    public void onHeaders(int status, Headers headers) {
        if (state != State.AWAITING_HEADERS) {
            return;
        }
        this.status = status;
        this.headers = headers;
        state = status >= 200 && status <= 299 ? State.HOLDING : State.ERROR_BODY;
        headers.first("content-length").ifPresent(v -> {
            try {
                declaredLength = Long.parseLong(v.trim());
            } catch (NumberFormatException ignored) {
                declaredLength = -1;
            }
        });
        int presize = declaredLength > 0 ? (int) Math.min(declaredLength, 16 * 1024) : 1024;
        held = new byte[presize];
    }

    @Override
    public void onBody(ByteBuffer chunk) {
        switch (state) {
            case HOLDING -> {
                if (heldLength + chunk.remaining() <= holdLimit) {
                    hold(chunk);
                    return;
                }
                startRelay();
                relay(chunk);
            }
            case RELAYING -> relay(chunk);
            case ERROR_BODY -> {
                int take = Math.min(SseStream.MAX_ERROR_BODY - heldLength, chunk.remaining());
                if (take > 0) {
                    ByteBuffer part = chunk.duplicate();
                    part.limit(part.position() + take);
                    hold(part);
                }
            }
            default -> { }
        }
    }

    private void hold(ByteBuffer chunk) {
        int n = chunk.remaining();
        if (heldLength + n > held.length) {
            held = Arrays.copyOf(held, Math.max(heldLength + n, Math.min(holdLimit, held.length * 2)));
        }
        chunk.get(held, heldLength, n);
        heldLength += n;
    }

    private void startRelay() {
        state = State.RELAYING;
        scan = new StreamingScan();
        relay = sink.startNative(passedHeaders(headers), declaredLength);
        ByteBuffer prefix = ByteBuffer.wrap(held, 0, heldLength);
        scan.feed(prefix);
        relay.write(prefix);
        held = null;
    }

    private void relay(ByteBuffer chunk) {
        scan.feed(chunk);
        relay.write(chunk);
    }

    @Override
    public void onComplete() {
        switch (state) {
            case HOLDING -> respondHeld();
            case RELAYING -> endRelay();
            case ERROR_BODY -> {
                state = State.ENDED;
                sink.fail(errors.map(status, headers, Bytes.wrapOwned(held, 0, heldLength)));
            }
            case AWAITING_HEADERS -> {
                state = State.ENDED;
                sink.fail(ErrorMapping.truncated());
            }
            default -> { }
        }
    }

    private void respondHeld() {
        state = State.ENDED;
        ResponseScan answer;
        try {
            answer = ResponseScan.of(held, heldLength);
        } catch (IOException e) {
            sink.fail(ErrorMapping.malformed(null));
            return;
        }
        boolean shaped = switch (kind) {
            case CHAT -> answer.choices();
            case EMBEDDINGS -> answer.data();
            case RESPONSES -> answer.output();
        };
        if (!shaped) {
            sink.fail(ErrorMapping.malformed(null));
            return;
        }
        Observation observed = Observation.of(answer.usage(), answer.stopReason());
        if (kind == Kind.RESPONSES) {
            observed = observed.withResponseId(answer.id());
        }
        sink.respondNative(Bytes.wrapOwned(held, 0, heldLength), observed, passedHeaders(headers));
    }

    private void endRelay() {
        state = State.ENDED;
        if (!scan.complete() || !scan.has(kind.requiredArray)) {
            relay.fail(ErrorMapping.malformed(null));
            return;
        }
        Observation observed = Observation.usage(usage(scan.usageBytes()));
        relay.end(kind == Kind.RESPONSES ? observed.withResponseId(scan.id()) : observed);
    }

    private static Usage usage(byte[] json) {
        if (json == null) {
            return null;
        }
        try {
            byte[] wrapped = new byte[json.length + 10];
            System.arraycopy("{\"usage\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, wrapped, 0, 9);
            System.arraycopy(json, 0, wrapped, 9, json.length);
            wrapped[wrapped.length - 1] = '}';
            return ResponseScan.of(wrapped).usage();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void onError(GatewayException error) {
        switch (state) {
            case ERROR_BODY -> {
                state = State.ENDED;
                sink.fail(errors.map(status, headers, Bytes.wrapOwned(held, 0, heldLength)));
            }
            case RELAYING -> {
                state = State.ENDED;
                relay.fail(error);
            }
            case ENDED -> { }
            default -> {
                state = State.ENDED;
                sink.fail(error);
            }
        }
    }

    /** The provider's headers worth passing to the client. */
    static Headers passedHeaders(Headers upstream) {
        return upstream.first("openai-processing-ms")
                .map(v -> Headers.of("openai-processing-ms", v))
                .orElse(Headers.EMPTY);
    }
}

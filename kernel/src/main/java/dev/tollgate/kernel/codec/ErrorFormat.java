package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The error shape of an inbound API, for error responses and for the error event that ends a
 * stream that already started. Every route answers in the shape of the API its path belongs to,
 * from a 404 to a failure mid-stream.
 */
public enum ErrorFormat {

    /** {@code {"error":{"message","type","param","code"}}}; a stream ends with an unnamed {@code data:} event of it. */
    OPENAI {
        @Override
        public byte[] body(GatewayException e) {
            return write(g -> {
                g.writeStartObject();
                g.writeObjectFieldStart("error");
                g.writeStringField("message", e.getMessage());
                g.writeStringField("type", openAiType(e));
                if (e.param().isPresent()) {
                    g.writeStringField("param", e.param().get());
                } else {
                    g.writeNullField("param");
                }
                g.writeStringField("code", e.code());
                g.writeEndObject();
                g.writeEndObject();
            });
        }

        @Override
        public String streamEventName() {
            return null;
        }
    },

    /** {@code {"type":"error","error":{"type","message"}}}; a stream ends with {@code event: error}. */
    ANTHROPIC {
        @Override
        public byte[] body(GatewayException e) {
            return write(g -> {
                g.writeStartObject();
                g.writeStringField("type", "error");
                g.writeObjectFieldStart("error");
                g.writeStringField("type", anthropicType(e));
                g.writeStringField("message", e.getMessage());
                g.writeEndObject();
                g.writeEndObject();
            });
        }

        @Override
        public String streamEventName() {
            return "error";
        }
    };

    private static final JsonFactory JSON = new JsonFactory();

    /** The error as this API's JSON body. */
    public abstract byte[] body(GatewayException e);

    /** The SSE event name of a mid-stream error, or {@code null} for an unnamed event. */
    public abstract String streamEventName();

    /** The OpenAI error {@code type} for an exception. */
    public static String openAiType(GatewayException e) {
        return switch (e.type()) {
            case CLIENT, UPSTREAM_CLIENT -> switch (e.status()) {
                case 401 -> "authentication_error";
                case 403 -> "permission_error";
                default -> "invalid_request_error";
            };
            case RATE_LIMITED -> "rate_limit_error";
            case BUDGET -> "insufficient_quota";
            case UPSTREAM_SERVER -> "api_error";
            case INTERNAL -> "server_error";
        };
    }

    /** The Anthropic error {@code type} for an exception, as Anthropic's API documents them. */
    public static String anthropicType(GatewayException e) {
        return switch (e.type()) {
            case CLIENT, UPSTREAM_CLIENT -> switch (e.status()) {
                case 401 -> "authentication_error";
                case 403 -> "permission_error";
                case 404 -> "not_found_error";
                case 413 -> "request_too_large";
                default -> "invalid_request_error";
            };
            case RATE_LIMITED, BUDGET -> "rate_limit_error";
            case UPSTREAM_SERVER -> e.status() == 503 || e.status() == 529 ? "overloaded_error" : "api_error";
            case INTERNAL -> "api_error";
        };
    }

    public static boolean isServerSide(GatewayException e) {
        return e.type() == ErrorType.INTERNAL || e.type() == ErrorType.UPSTREAM_SERVER;
    }

    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.writeTo(g);
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        return out.toByteArray();
    }
}

package dev.tollgate.kernel.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Renders a {@link GatewayException} as OpenAI error JSON: {@code {"error":{"message","type","param","code"}}}. */
public final class OpenAiErrors {

    private static final JsonFactory JSON = new JsonFactory();

    private OpenAiErrors() {}

    public static byte[] body(GatewayException e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", e.getMessage());
            g.writeStringField("type", type(e));
            if (e.param().isPresent()) {
                g.writeStringField("param", e.param().get());
            } else {
                g.writeNullField("param");
            }
            g.writeStringField("code", e.code());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        return out.toByteArray();
    }

    /** The OpenAI error {@code type} for an exception. */
    static String type(GatewayException e) {
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

    static boolean isServerSide(GatewayException e) {
        return e.type() == ErrorType.INTERNAL || e.type() == ErrorType.UPSTREAM_SERVER;
    }
}

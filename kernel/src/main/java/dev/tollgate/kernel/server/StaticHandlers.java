package dev.tollgate.kernel.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.kernel.client.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Supplier;

/** Handlers whose answers need no pipeline: model list, health, metrics. */
final class StaticHandlers {

    private StaticHandlers() {}

    /** {@code GET /v1/models}: the configured models in OpenAI's list shape, rendered once. */
    static HttpHandler models(Collection<String> names, long createdEpochSeconds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (String name : names) {
                g.writeStartObject();
                g.writeStringField("id", name);
                g.writeStringField("object", "model");
                g.writeNumberField("created", createdEpochSeconds);
                g.writeStringField("owned_by", "tollgate");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] body = out.toByteArray();
        return exchange -> Responses.json(exchange, 200, ByteBuffer.wrap(body));
    }

    static HttpHandler live() {
        byte[] body = "{\"status\":\"live\"}".getBytes(StandardCharsets.US_ASCII);
        return exchange -> Responses.json(exchange, 200, ByteBuffer.wrap(body));
    }

    static HttpHandler ready(ShutdownGate gate) {
        byte[] ready = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] draining = "{\"status\":\"draining\"}".getBytes(StandardCharsets.US_ASCII);
        return exchange -> {
            if (gate.isClosed()) {
                Responses.json(exchange, 503, ByteBuffer.wrap(draining));
            } else {
                Responses.json(exchange, 200, ByteBuffer.wrap(ready));
            }
        };
    }

    /** Prometheus text 0.0.4, or OpenMetrics 1.0 when the scraper's {@code Accept} asks for it. */
    static HttpHandler metrics(Supplier<String> text) {
        HttpString contentType = new HttpString("Content-Type");
        return exchange -> {
            if (dev.tollgate.kernel.metrics.OpenMetrics.wanted(exchange.getRequestHeaders().getFirst("Accept"))) {
                exchange.getResponseHeaders().put(contentType, dev.tollgate.kernel.metrics.OpenMetrics.CONTENT_TYPE);
                exchange.getResponseSender().send(dev.tollgate.kernel.metrics.OpenMetrics.fromPrometheus(text.get()));
                return;
            }
            exchange.getResponseHeaders().put(contentType, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(text.get());
        };
    }
}

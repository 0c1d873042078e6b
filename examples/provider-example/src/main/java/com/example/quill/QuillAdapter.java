package com.example.quill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.spi.*;
import dev.tollgate.spi.chat.*;
import dev.tollgate.spi.http.*;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.provider.*;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The made-up Quill API: {@code POST /v1/complete} with {@code {model, system, turns:[{speaker, text}], limit}},
 * answering {@code {id, text, end, count:{prompt, generated}}}, errors as {@code {problem:{type, detail}}}.
 * It has no tools and no streaming: every client API is translated, and a stream is the answer in one delta.
 */
final class QuillAdapter implements ProviderAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT = Duration.ofSeconds(10), READ = Duration.ofSeconds(120);

    private final URI uri;
    private final Headers headers;
    private final System.Logger log;
    private final Metrics.Counter surprises;

    QuillAdapter(String apiBase, String key, PluginContext context) {
        this.uri = URI.create(apiBase.replaceAll("/+$", "") + "/v1/complete");
        this.headers = Headers.builder().add("X-Quill-Key", key).add("Content-Type", "application/json").build();
        this.log = context.logger();
        this.surprises = context.metrics().counter("unknown_end_total", "answers whose end reason this adapter does not know");
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        send(request, call, sink::fail, r -> sink.respond(r, Headers.EMPTY));
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        send(request, call, sink::fail, r -> {
            sink.event(new StreamEvent.MessageStart(r.id(), r.model(), null));
            sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
            sink.event(new StreamEvent.TextDelta(0, r.text()));
            sink.event(new StreamEvent.BlockStop(0));
            sink.event(new StreamEvent.MessageEnd(r.stopReason(), null, r.usage().orElse(null)));
            sink.complete();
        });
    }

    private void send(ProviderRequest request, ProviderCall call, Consumer<GatewayException> fail, Consumer<ChatResponse> done) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(toQuill(request.canonical(), request.upstreamModel()));
        } catch (IOException | IllegalArgumentException e) {
            fail.accept(GatewayException.invalidRequest(null, e.getMessage()));
            return;
        }
        var up = new UpstreamRequest("POST", uri, headers, Bytes.wrapOwned(body), CONNECT, READ, READ, READ, HttpProtocol.HTTP_1_1);
        call.http().send(up).whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable t = failure.getCause() instanceof GatewayException ? failure.getCause() : failure;
                fail.accept(t instanceof GatewayException g ? g : GatewayException.internal("quill call failed", t));
                return;
            }
            try {
                done.accept(fromQuill(response, request.upstreamModel()));
            } catch (GatewayException e) {
                fail.accept(e);
            }
        });
    }

    private static ObjectNode toQuill(ChatRequest chat, String model) {
        if (!chat.tools().isEmpty()) {
            throw new IllegalArgumentException("the quill provider has no tools");
        }
        ObjectNode q = JSON.createObjectNode().put("model", model);
        chat.system().forEach(b -> q.put("system", q.path("system").asText("") + (b instanceof ContentBlock.Text t ? t.text() : "")));
        for (Message m : chat.messages()) {
            q.withArray("turns").addObject().put("speaker", m.role() == Role.ASSISTANT ? "model" : "user").put("text", m.text());
        }
        chat.maxTokens().ifPresent(n -> q.put("limit", n));
        return q;
    }

    private ChatResponse fromQuill(UpstreamResponse response, String model) {
        JsonNode a = parse(response.body().toArray());
        if (!response.isSuccess()) {
            throw error(response, a.path("problem"));
        }
        String end = a.path("end").asText();
        StopReason stop = switch (end) {
            case "complete" -> StopReason.END_TURN;
            case "limit" -> StopReason.MAX_TOKENS;
            case "blocked" -> StopReason.CONTENT_FILTER;
            default -> {
                surprises.increment(); // surfaced, never silently dropped
                log.log(System.Logger.Level.WARNING, "quill answered with an unknown end reason: " + end);
                yield StopReason.OTHER;
            }
        };
        return ChatResponse.builder().id(a.path("id").asText("quill")).model(model)
                .addContent(ContentBlock.Text.of(a.path("text").asText())).stopReason(stop)
                .usage(Usage.of(a.path("count").path("prompt").asLong(), a.path("count").path("generated").asLong())).build();
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode(); // not JSON: every field reads as missing
        }
    }

    private static GatewayException error(UpstreamResponse response, JsonNode problem) {
        String type = problem.path("type").asText();
        String detail = "quill: " + problem.path("detail").asText("HTTP " + response.status());
        GatewayException.Builder b = switch (response.status()) {
            case 400 -> switch (type) {
                case "too_long" -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "context_length_exceeded")
                        .reason(FailureReason.CONTEXT_WINDOW_EXCEEDED);
                case "blocked" -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "content_policy_violation")
                        .reason(FailureReason.CONTENT_POLICY);
                default -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "invalid_request");
            };
            case 401, 403 -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_failed");
            case 404 -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 404, "model_not_found");
            case 429 -> GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                    .retryAfter(response.headers().first("Retry-After").filter(s -> s.trim().matches("\\d{1,6}"))
                            .map(s -> Duration.ofSeconds(Long.parseLong(s.trim()))).orElse(null));
            case 503 -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "upstream_overloaded");
            case 504 -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout").reason(FailureReason.TIMEOUT);
            default -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_error");
        };
        return b.message(detail).build();
    }
}

package dev.tollgate.kernel.routing;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;
import dev.tollgate.spi.sink.RequestRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider whose every call follows the next step of its deployment's {@code script} (the last
 * step repeats): {@code ok}, {@code slow:<ms>} (answers after that long on the call's scheduler),
 * {@code 429}, {@code 429@<seconds>} (with Retry-After), {@code 500}, {@code 503}, {@code 400},
 * {@code content_policy}, {@code context_window}, {@code hang} (never answers), {@code die}
 * (streams a first event, then fails). Answers "from:<upstream model>" with usage 1000 in / 100 out.
 * Calls are counted per upstream model; a {@code capture} log sink keeps every request record.
 */
public final class ScriptedProviderPlugin implements TollgatePlugin {

    static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    static final List<RequestRecord> records = new CopyOnWriteArrayList<>();

    static int calls(String upstreamModel) {
        AtomicInteger n = calls.get(upstreamModel);
        return n == null ? 0 : n.get();
    }

    static void reset() {
        calls.clear();
        records.clear();
    }

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                return new Adapter(config.stringList("script"));
            }
        });
    }

    @Override
    public List<LogSinkFactory> logSinks() {
        return List.of(new LogSinkFactory() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public LogSink create(PluginConfig config, PluginContext context) {
                return new LogSink() {
                    @Override
                    public void write(List<RequestRecord> batch) {
                        records.addAll(batch);
                    }

                    @Override
                    public void close() {}
                };
            }
        });
    }

    static final class Adapter implements ProviderAdapter {
        private final List<String> script;
        private final AtomicInteger next = new AtomicInteger();

        Adapter(List<String> script) {
            this.script = script.isEmpty() ? List.of("ok") : List.copyOf(script);
        }

        private String step(ProviderRequest request) {
            calls.computeIfAbsent(request.upstreamModel(), k -> new AtomicInteger()).incrementAndGet();
            return script.get(Math.min(next.getAndIncrement(), script.size() - 1));
        }

        @Override
        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
            String step = step(request);
            GatewayException failure = failure(step);
            if (failure != null) {
                sink.fail(failure);
            } else if (step.startsWith("slow:")) {
                call.schedule(Duration.ofMillis(Long.parseLong(step.substring(5))), () -> sink.respond(answer(request), Headers.EMPTY));
            } else if (step.equals("ok")) {
                sink.respond(answer(request), Headers.EMPTY);
            }
        }

        @Override
        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
            String step = step(request);
            GatewayException failure = failure(step);
            if (failure != null) {
                sink.fail(failure);
                return;
            }
            if (step.equals("hang")) {
                return;
            }
            if (step.startsWith("slow:")) {
                call.schedule(Duration.ofMillis(Long.parseLong(step.substring(5))), () -> stream(request, sink));
                return;
            }
            if (step.equals("die")) {
                sink.event(new StreamEvent.MessageStart("s-1", request.upstreamModel(), null));
                sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                sink.event(new StreamEvent.TextDelta(0, "partial-from:" + request.upstreamModel()));
                sink.fail(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_reset")
                        .message("the provider closed the stream").build());
                return;
            }
            stream(request, sink);
        }

        private static void stream(ProviderRequest request, StreamSink sink) {
            sink.event(new StreamEvent.MessageStart("s-1", request.upstreamModel(), null));
            sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
            sink.event(new StreamEvent.TextDelta(0, "from:" + request.upstreamModel()));
            sink.event(new StreamEvent.BlockStop(0));
            sink.event(new StreamEvent.MessageEnd(StopReason.END_TURN, null, Usage.of(1000, 100)));
            sink.complete();
        }

        private static ChatResponse answer(ProviderRequest request) {
            return ChatResponse.builder().id("s-1").model(request.upstreamModel())
                    .addContent(ContentBlock.Text.of("from:" + request.upstreamModel())).usage(Usage.of(1000, 100)).build();
        }

        private static GatewayException failure(String step) {
            if (step.startsWith("429")) {
                GatewayException.Builder b = GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                        .message("slow down");
                if (step.startsWith("429@")) {
                    b.retryAfter(Duration.ofSeconds(Long.parseLong(step.substring(4))));
                }
                return b.build();
            }
            return switch (step) {
                case "500", "503" -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, Integer.parseInt(step), "upstream_error")
                        .message("the provider failed").build();
                case "400" -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "invalid_request_error")
                        .message("temperature must be at most 2").param("temperature").build();
                case "content_policy" -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "content_filter")
                        .reason(FailureReason.CONTENT_POLICY).message("the prompt was refused by the content policy").build();
                case "context_window" -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "context_length_exceeded")
                        .reason(FailureReason.CONTEXT_WINDOW_EXCEEDED).message("the prompt is too long").build();
                default -> null;
            };
        }
    }
}

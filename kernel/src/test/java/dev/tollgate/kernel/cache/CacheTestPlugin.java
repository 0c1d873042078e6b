package dev.tollgate.kernel.cache;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.cache.CacheBackendFactory;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For cache tests: a provider {@code answers} whose answer says how many calls it has had
 * ({@code answer-<n>: <last user text>}), so a replay is told from a fresh answer; the last user
 * text steers it: {@code filter} (content filter), {@code truncate} (max tokens), {@code refuse},
 * {@code fail} (500), {@code die} (a stream that breaks), {@code tool} (a tool call), {@code wait}
 * (answers after 1 s on the call's scheduler). With {@code native: true} it relays OpenAI Chat bytes
 * to OpenAI clients. A cache backend {@code map} (one map per {@code store} name, {@code mode}
 * {@link #modes} up, down or hang), and a log sink {@code capture}.
 */
public final class CacheTestPlugin implements TollgatePlugin {

    static final AtomicInteger calls = new AtomicInteger();
    static final Map<String, Map<String, Bytes>> stores = new ConcurrentHashMap<>();
    static final Map<String, String> modes = new ConcurrentHashMap<>();
    static final List<RequestRecord> records = new CopyOnWriteArrayList<>();

    static void reset() {
        calls.set(0);
        stores.clear();
        modes.clear();
        records.clear();
    }

    static Map<String, Bytes> store(String name) {
        return stores.computeIfAbsent(name, k -> new ConcurrentHashMap<>());
    }

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "answers";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                return new Answers(config.booleanValue("native", false));
            }
        });
    }

    @Override
    public List<CacheBackendFactory> cacheBackends() {
        return List.of(new CacheBackendFactory() {
            @Override
            public String name() {
                return "map";
            }

            @Override
            public CacheBackend create(PluginConfig config, PluginContext context) {
                String name = config.string("store", "default");
                return new MapBackend(name);
            }
        }, new CacheBackendFactory() {
            @Override
            public String name() {
                return "map2";
            }

            @Override
            public CacheBackend create(PluginConfig config, PluginContext context) {
                return new MapBackend(config.string("store", "second"));
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

    static final class MapBackend implements CacheBackend {
        final String name;

        MapBackend(String name) {
            this.name = name;
        }

        private <T> CompletionStage<T> answer(java.util.function.Supplier<T> value) {
            return switch (modes.getOrDefault(name, "up")) {
                case "down" -> CompletableFuture.failedFuture(new IllegalStateException("the tier is down"));
                case "hang" -> new CompletableFuture<>();
                default -> CompletableFuture.completedFuture(value.get());
            };
        }

        @Override
        public CompletionStage<Optional<Bytes>> get(String key) {
            return answer(() -> Optional.ofNullable(store(name).get(key)));
        }

        @Override
        public CompletionStage<Void> put(String key, Bytes value, Duration ttl) {
            return answer(() -> {
                store(name).put(key, value);
                return null;
            });
        }

        @Override
        public CompletionStage<Void> remove(String key) {
            return answer(() -> {
                store(name).remove(key);
                return null;
            });
        }
    }

    static final class Answers implements ProviderAdapter {
        private final boolean nativeOpenAi;

        Answers(boolean nativeOpenAi) {
            this.nativeOpenAi = nativeOpenAi;
        }

        @Override
        public Set<WireFormat> nativeFormats() {
            return nativeOpenAi ? Set.of(WireFormat.OPENAI_CHAT) : Set.of();
        }

        private static String lastUser(ProviderRequest r) {
            if (r.nativeBody().isPresent()) {
                String body = r.nativeBody().get().utf8();
                int at = body.lastIndexOf("\"content\":\"");
                return at < 0 ? "" : body.substring(at + 11, body.indexOf('"', at + 11));
            }
            List<Message> m = r.canonical().messages();
            return m.getLast().text();
        }

        private static StopReason stop(String prompt) {
            if (prompt.contains("filter")) {
                return StopReason.CONTENT_FILTER;
            }
            if (prompt.contains("truncate")) {
                return StopReason.MAX_TOKENS;
            }
            if (prompt.contains("refuse")) {
                return StopReason.REFUSAL;
            }
            return prompt.contains("tool") ? StopReason.TOOL_USE : StopReason.END_TURN;
        }

        private static GatewayException failure() {
            return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 500, "upstream_error").retryable(false).fallbackAllowed(false)
                    .message("the provider failed").build();
        }

        @Override
        public void chat(ProviderRequest r, ProviderCall call, ResponseSink<ChatResponse> sink) {
            int n = calls.incrementAndGet();
            String prompt = lastUser(r);
            if (prompt.contains("fail")) {
                sink.fail(failure());
                return;
            }
            Runnable answer = () -> {
                String text = "answer-" + n + ": " + prompt;
                if (r.nativeBody().isPresent()) {
                    sink.respondNative(Bytes.utf8("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion\",\"created\":1700000000,"
                                    + "\"model\":\"" + r.upstreamModel() + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                                    + "\"content\":\"" + text + "\"},\"finish_reason\":\"" + openAiFinish(stop(prompt)) + "\"}],"
                                    + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100}}"),
                            Observation.usage(Usage.of(1000, 100)), Headers.EMPTY);
                    return;
                }
                ChatResponse.Builder b = ChatResponse.builder().id("resp-" + n).model(r.upstreamModel()).created(1_700_000_000L)
                        .stopReason(stop(prompt)).usage(Usage.of(1000, 100)).addContent(ContentBlock.Text.of(text));
                if (prompt.contains("tool")) {
                    b.addContent(new ContentBlock.ToolUse("call_" + n, "lookup", "{\"q\":\"" + n + "\"}"));
                }
                sink.respond(b.build(), Headers.EMPTY);
            };
            if (prompt.contains("wait")) {
                call.schedule(Duration.ofSeconds(1), answer);
            } else {
                answer.run();
            }
        }

        private static String openAiFinish(StopReason s) {
            return switch (s) {
                case MAX_TOKENS -> "length";
                case CONTENT_FILTER -> "content_filter";
                case TOOL_USE -> "tool_calls";
                default -> "stop";
            };
        }

        @Override
        public void streamChat(ProviderRequest r, ProviderCall call, StreamSink sink) {
            int n = calls.incrementAndGet();
            String prompt = lastUser(r);
            if (prompt.contains("fail")) {
                sink.fail(failure());
                return;
            }
            String text = "answer-" + n + ": " + prompt;
            Runnable stream = () -> {
                if (r.nativeBody().isPresent()) {
                    String head = "{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                            + r.upstreamModel() + "\",\"choices\":[{\"index\":0,\"delta\":";
                    sink.nativeEvent(null, Bytes.utf8(head + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
                    int half = text.length() / 2;
                    sink.nativeEvent(null, Bytes.utf8(head + "{\"content\":\"" + text.substring(0, half) + "\"},\"finish_reason\":null}]}"));
                    if (prompt.contains("die")) {
                        sink.fail(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_reset").message("cut").build());
                        return;
                    }
                    sink.nativeEvent(null, Bytes.utf8(head + "{\"content\":\"" + text.substring(half) + "\"},\"finish_reason\":null}]}"));
                    sink.nativeEvent(null, Bytes.utf8(head + "{},\"finish_reason\":\"" + openAiFinish(stop(prompt)) + "\"}]}"));
                    sink.nativeEvent(null, Bytes.utf8("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                            + "\"model\":\"" + r.upstreamModel() + "\",\"choices\":[],"
                            + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100}}"));
                    sink.observe(Observation.usage(Usage.of(1000, 100)));
                    sink.complete();
                    return;
                }
                sink.event(new StreamEvent.MessageStart("resp-" + n, r.upstreamModel(), null));
                sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                int half = text.length() / 2;
                sink.event(new StreamEvent.TextDelta(0, text.substring(0, half)));
                if (prompt.contains("die")) {
                    sink.fail(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_reset").message("cut").build());
                    return;
                }
                sink.event(new StreamEvent.TextDelta(0, text.substring(half)));
                sink.event(new StreamEvent.BlockStop(0));
                if (prompt.contains("tool")) {
                    sink.event(new StreamEvent.BlockStart(1, new ContentBlock.ToolUse("call_" + n, "lookup", "")));
                    sink.event(new StreamEvent.ToolArgumentsDelta(1, "{\"q\":\""));
                    sink.event(new StreamEvent.ToolArgumentsDelta(1, n + "\"}"));
                    sink.event(new StreamEvent.BlockStop(1));
                }
                sink.event(new StreamEvent.MessageEnd(stop(prompt), null, Usage.of(1000, 100)));
                sink.complete();
            };
            if (prompt.contains("wait")) {
                call.schedule(Duration.ofSeconds(1), stream);
            } else {
                stream.run();
            }
        }
    }
}

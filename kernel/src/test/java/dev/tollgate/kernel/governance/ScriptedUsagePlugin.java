package dev.tollgate.kernel.governance;

import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
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
import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.StateBackendFactory;
import dev.tollgate.spi.state.TokenBucketResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * In-code plugins for settlement tests.
 *
 * <p>Provider {@code scripted} answers with the usage its deployment's {@code config} names
 * ({@code input}, {@code output}, {@code cached}, {@code cache_write}, {@code reasoning} tokens; the
 * input includes cached and cache-write tokens, the output reasoning, as {@link Usage} counts them).
 * It speaks OpenAI Chat natively. {@code report_usage: false} makes it report no usage at all;
 * {@code start_usage: true} makes a stream report the input part of the usage at its start (in
 * its message start, or observed before the first pass-through event), as Anthropic's streams do,
 * and the whole usage at its end; {@code hang: true} makes a stream send its start and one piece
 * of text, then nothing until the attempt is cancelled; {@code mute: true} makes it send nothing at
 * all.
 *
 * <p>State backend {@code recorded} is the in-process backend, recording every reservation and
 * settlement so that tests can read what was held and committed, and the counters themselves.
 */
final class ScriptedUsagePlugin implements TollgatePlugin {

    /** One {@link StateBackend#settle} call. */
    record Settlement(String reservationId, Map<String, Long> actualByKey) {}

    final List<Reservation> reservations = new CopyOnWriteArrayList<>();
    final List<Settlement> settlements = new CopyOnWriteArrayList<>();
    final List<String> releases = new CopyOnWriteArrayList<>();
    private volatile StateBackend state;

    /** The state backend the gateway uses, once it started. */
    StateBackend state() {
        return state;
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
                Usage usage = Usage.builder()
                        .inputTokens(config.longValue("input", 0))
                        .outputTokens(config.longValue("output", 0))
                        .cachedInputTokens(config.longValue("cached", 0))
                        .cacheWriteTokens(config.longValue("cache_write", 0))
                        .reasoningTokens(config.longValue("reasoning", 0))
                        .build();
                boolean report = config.booleanValue("report_usage", true);
                boolean hang = config.booleanValue("hang", false);
                boolean startUsage = config.booleanValue("start_usage", false);
                boolean mute = config.booleanValue("mute", false);
                config.requireAllRead();
                return new Adapter(report ? usage : null, hang, startUsage, mute);
            }
        });
    }

    @Override
    public List<StateBackendFactory> stateBackends() {
        return List.of(new StateBackendFactory() {
            @Override
            public String name() {
                return "recorded";
            }

            @Override
            public StateBackend create(PluginConfig config, PluginContext context) {
                config.requireAllRead();
                StateBackend b = new Recording(new InProcessStateBackend(r -> Thread.ofVirtual().start(r), context.ticker()));
                state = b;
                return b;
            }
        });
    }

    private static final class Adapter implements ProviderAdapter {
        private final Usage usage;
        private final boolean hang;
        private final boolean startUsage;
        private final boolean mute;

        Adapter(Usage usage, boolean hang, boolean startUsage, boolean mute) {
            this.usage = usage;
            this.hang = hang;
            this.startUsage = startUsage;
            this.mute = mute;
        }

        @Override
        public Set<WireFormat> nativeFormats() {
            return Set.of(WireFormat.OPENAI_CHAT);
        }

        /** The input part of the usage, as a stream's start reports it before any output. */
        private Usage inputPart() {
            return usage.toBuilder().outputTokens(0).reasoningTokens(0).build();
        }

        @Override
        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
            if (request.passThrough()) {
                sink.respondNative(Bytes.utf8("{\"object\":\"chat.completion\",\"model\":\"" + request.model() + "\",\"choices\":[{\"index\":0,"
                                + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]" + openAiUsage(usage) + "}"),
                        usage == null ? Observation.NONE : Observation.of(usage, StopReason.END_TURN), Headers.EMPTY);
            } else {
                ChatResponse.Builder r = ChatResponse.builder().id("scripted-1").model(request.upstreamModel())
                        .addContent(ContentBlock.Text.of("ok"));
                if (usage != null) {
                    r.usage(usage);
                }
                sink.respond(r.build(), Headers.EMPTY);
            }
        }

        @Override
        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
            if (mute) {
                return;
            }
            if (request.passThrough()) {
                if (startUsage && usage != null) {
                    sink.observe(Observation.usage(inputPart()));
                }
                sink.nativeEvent(null, Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c0\"}}]}"));
                if (hang) {
                    return;
                }
                sink.nativeEvent(null, Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));
                if (usage != null) {
                    if (request.facts().includeUsage()) {
                        sink.nativeEvent(null, Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[]" + openAiUsage(usage) + "}"));
                    }
                    sink.observe(Observation.usage(usage));
                }
            } else {
                sink.event(new StreamEvent.MessageStart("scripted-1", request.upstreamModel(), startUsage && usage != null ? inputPart() : null));
                sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                sink.event(new StreamEvent.TextDelta(0, "c0"));
                if (hang) {
                    return;
                }
                sink.event(new StreamEvent.BlockStop(0));
                sink.event(new StreamEvent.MessageEnd(StopReason.END_TURN, null, usage));
            }
            sink.complete();
        }

        private static String openAiUsage(Usage u) {
            if (u == null) {
                return "";
            }
            return ",\"usage\":{\"prompt_tokens\":" + u.inputTokens() + ",\"completion_tokens\":" + u.outputTokens() + ",\"total_tokens\":"
                    + u.totalTokens() + ",\"prompt_tokens_details\":{\"cached_tokens\":" + u.cachedInputTokens()
                    + "},\"completion_tokens_details\":{\"reasoning_tokens\":" + u.reasoningTokens() + "}}";
        }
    }

    /** Delegates to the in-process backend and records reservations, settlements and releases. */
    private final class Recording implements StateBackend {
        private final InProcessStateBackend d;

        Recording(InProcessStateBackend d) {
            this.d = d;
        }

        @Override
        public CompletionStage<Long> increment(String key, long delta, Duration ttl) {
            return d.increment(key, delta, ttl);
        }

        @Override
        public CompletionStage<Long> get(String key) {
            return d.get(key);
        }

        @Override
        public CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl) {
            return d.incrementIfWithin(key, delta, limit, ttl);
        }

        @Override
        public CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens) {
            return d.takeTokens(key, capacity, refillPerSecond, tokens);
        }

        @Override
        public CompletionStage<ReservationResult> reserve(Reservation reservation) {
            reservations.add(reservation);
            return d.reserve(reservation);
        }

        @Override
        public CompletionStage<Void> settle(String reservationId, Map<String, Long> actualByKey) {
            settlements.add(new Settlement(reservationId, Map.copyOf(actualByKey)));
            return d.settle(reservationId, actualByKey);
        }

        @Override
        public CompletionStage<Void> release(String reservationId) {
            releases.add(reservationId);
            return d.release(reservationId);
        }

        @Override
        public CompletionStage<Long> adjust(String key, long delta, Duration ttl) {
            return d.adjust(key, delta, ttl);
        }

        @Override
        public CompletionStage<Void> publish(String channel, String message) {
            return d.publish(channel, message);
        }

        @Override
        public AutoCloseable subscribe(String channel, Consumer<String> listener) {
            return d.subscribe(channel, listener);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}

package dev.tollgate.kernel.codec;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A provider that speaks OpenAI Responses itself ({@code native: true}, the default) or only the
 * canonical model: a passed-through body is kept in {@link #passedThrough} and answered with
 * {@link #ANSWER} (or the events {@link #CREATED}, {@link #COMPLETED}) and the upstream id
 * {@code resp_up_1}; a translated request answers "translated:&lt;upstream model&gt;" and its model is
 * kept in {@link #translated}. {@code fail: true} fails every attempt with a 503 before answering.
 * The {@code outcomes} policy keeps every request's {@link Outcome}.
 */
public final class NativeResponsesPlugin implements TollgatePlugin {

    static final List<String> passedThrough = new CopyOnWriteArrayList<>();
    static final List<String> translated = new CopyOnWriteArrayList<>();
    static final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    static final String ANSWER = "{\"id\":\"resp_up_1\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"reasoning\","
            + "\"id\":\"rs_9\",\"summary\":[],\"encrypted_content\":\"gAAA==\"}],\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}";
    static final String CREATED = "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_up_1\"}}";
    static final String COMPLETED = "{\"type\":\"response.completed\",\"sequence_number\":1,\"response\":" + ANSWER + "}";

    static void reset() {
        passedThrough.clear();
        translated.clear();
        outcomes.clear();
    }

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "native-responses";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                return new Adapter(config.booleanValue("native", true), config.booleanValue("fail", false));
            }
        });
    }

    @Override
    public List<RequestPolicyFactory> requestPolicies() {
        return List.of(new RequestPolicyFactory() {
            @Override
            public String name() {
                return "outcomes";
            }

            @Override
            public RequestPolicy create(PluginConfig config, PluginContext context) {
                return new RequestPolicy() {
                    @Override
                    public CompletionStage<Admission> admit(PolicyRequest request) {
                        return CompletableFuture.completedFuture(Admission.proceed());
                    }

                    @Override
                    public CompletionStage<Void> settle(PolicyRequest request, Admission admission, Outcome outcome) {
                        outcomes.add(outcome);
                        return CompletableFuture.completedFuture(null);
                    }
                };
            }
        });
    }

    private record Adapter(boolean speaksResponses, boolean fail) implements ProviderAdapter {

        @Override
        public Set<WireFormat> nativeFormats() {
            return speaksResponses ? Set.of(WireFormat.OPENAI_RESPONSES) : Set.of();
        }

        private boolean failed(ProviderRequest request, java.util.function.Consumer<GatewayException> sink) {
            if (request.passThrough()) {
                passedThrough.add(request.nativeBody().orElseThrow().utf8());
            } else {
                request.canonical();
                translated.add(request.upstreamModel());
            }
            if (fail) {
                sink.accept(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "upstream_error").message("the provider failed")
                        .build());
            }
            return fail;
        }

        @Override
        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
            if (failed(request, sink::fail)) {
                return;
            }
            if (request.passThrough()) {
                sink.respondNative(Bytes.utf8(ANSWER), Observation.usage(Usage.of(10, 5)).withResponseId("resp_up_1"), Headers.EMPTY);
            } else {
                sink.respond(ChatResponse.builder().id("c-1").model(request.upstreamModel())
                        .addContent(ContentBlock.Text.of("translated:" + request.upstreamModel())).usage(Usage.of(3, 2)).build(), Headers.EMPTY);
            }
        }

        @Override
        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
            if (failed(request, sink::fail)) {
                return;
            }
            if (!request.passThrough()) {
                sink.fail(GatewayException.internal("this test provider streams only what passes through", null));
                return;
            }
            sink.observe(Observation.NONE.withResponseId("resp_up_1"));
            sink.nativeEvent("response.created", Bytes.utf8(CREATED));
            sink.nativeEvent("response.completed", Bytes.utf8(COMPLETED));
            sink.observe(Observation.usage(Usage.of(10, 5)));
            sink.complete();
        }
    }
}

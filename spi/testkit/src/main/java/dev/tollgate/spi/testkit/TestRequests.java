package dev.tollgate.spi.testkit;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.request.RequestFacts;

/** {@link ProviderRequest}s for adapter tests, as the kernel builds them. */
public final class TestRequests {

    private TestRequests() {}

    /**
     * A request to translate: the adapter gets {@code chat} through {@link ProviderRequest#canonical()}.
     *
     * @param clientFormat the API the client spoke (a format the adapter does not pass through)
     */
    public static ProviderRequest translated(String requestId, WireFormat clientFormat, ChatRequest chat, String upstreamModel) {
        RequestFacts facts = RequestFacts.builder(clientFormat, chat.model()).stream(chat.stream()).includeUsage(chat.includeUsage())
                .maxTokens(chat.maxTokens().orElse(-1)).usesTools(!chat.tools().isEmpty()).usesImages(chat.hasImages())
                .messageCount(chat.messages().size()).build();
        return ProviderRequest.builder(requestId, facts, () -> chat).deployment(chat.model() + "#0", upstreamModel).build();
    }

    /**
     * A request that passes through: the adapter gets {@code body} as {@link ProviderRequest#nativeBody()}.
     *
     * @param facts what the kernel would have learned of {@code body}
     */
    public static ProviderRequest passThrough(String requestId, RequestFacts facts, Bytes body, String upstreamModel) {
        return ProviderRequest.builder(requestId, facts, () -> {
            throw new AssertionError("a pass-through request must not be parsed into the canonical model");
        }).deployment(facts.model() + "#0", upstreamModel).nativeBody(body).build();
    }

    /** A pass-through OpenAI chat request with the facts that matter to adapters. */
    public static ProviderRequest openAiChat(String requestId, String model, boolean stream, boolean includeUsage, String body,
            String upstreamModel) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, model).stream(stream).includeUsage(includeUsage).build();
        return passThrough(requestId, facts, Bytes.utf8(body), upstreamModel);
    }

    /** A pass-through OpenAI Responses request ({@code POST /v1/responses}), for adapters that declare that format native. */
    public static ProviderRequest openAiResponses(String requestId, String model, boolean stream, String body, String upstreamModel) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_RESPONSES, model).stream(stream).includeUsage(true).build();
        return passThrough(requestId, facts, Bytes.utf8(body), upstreamModel);
    }

    /** An embeddings request. */
    public static EmbeddingsRequest embeddings(String requestId, String model, String body, String upstreamModel) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_EMBEDDINGS, model).build();
        return new EmbeddingsRequest(requestId, facts, upstreamModel, model + "#0", Bytes.utf8(body));
    }
}

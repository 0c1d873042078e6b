package dev.tollgate.plugin.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Answers every chat request with what it sees from inside its class loader:
 * {@code jackson=<databind version the plugin loaded> tccl=<plugin|other>}. All JSON is built with
 * the plugin's own Jackson databind, so a kernel that leaked its Jackson would show up here. It
 * speaks OpenAI Chat natively, so its bytes reach OpenAI clients untouched.
 */
final class ProbeAdapter implements ProviderAdapter {

    private static final Usage USAGE = Usage.of(1, 1);

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Set<WireFormat> nativeFormats() {
        return Set.of(WireFormat.OPENAI_CHAT);
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        ObjectNode root = envelope(request, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", probe());
        choice.put("finish_reason", "stop");
        usage(root);
        sink.respondNative(bytes(root), Observation.of(USAGE, StopReason.END_TURN), Headers.EMPTY);
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        ObjectNode chunk = envelope(request, "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", probe());
        choice.put("finish_reason", "stop");
        sink.nativeEvent(null, bytes(chunk));
        if (request.facts().includeUsage()) {
            ObjectNode usageChunk = envelope(request, "chat.completion.chunk");
            usageChunk.putArray("choices");
            usage(usageChunk);
            sink.nativeEvent(null, bytes(usageChunk));
        }
        sink.observe(Observation.of(USAGE, StopReason.END_TURN));
        sink.complete();
    }

    /** The probe's finding, e.g. {@code jackson=2.17.2 tccl=plugin}. */
    private String probe() {
        boolean tcclIsPlugin = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
        return "jackson=" + PackageVersion.VERSION + " tccl=" + (tcclIsPlugin ? "plugin" : "other");
    }

    private ObjectNode envelope(ProviderRequest request, String object) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", "chatcmpl-probe-" + request.requestId());
        root.put("object", object);
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", request.model());
        return root;
    }

    private static void usage(ObjectNode root) {
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", USAGE.inputTokens());
        usage.put("completion_tokens", USAGE.outputTokens());
        usage.put("total_tokens", USAGE.totalTokens());
    }

    private Bytes bytes(ObjectNode node) {
        try {
            return Bytes.wrapOwned(mapper.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

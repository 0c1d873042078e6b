package dev.tollgate.kernel.responses;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A provider ({@code recording}) that keeps every canonical request it gets and answers: a call of
 * the function {@code weather} when the last user text says "weather", else "answer <n>" where n
 * counts the messages it was sent.
 */
final class RecordingProviderPlugin implements TollgatePlugin {

    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                return new ProviderAdapter() {
                    @Override
                    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
                        ChatRequest c = request.canonical();
                        requests.add(c);
                        sink.respond(ChatResponse.builder().id("same-id").model(request.upstreamModel()).addContent(answer(c))
                                .stopReason(wantsTool(c) ? StopReason.TOOL_USE : StopReason.END_TURN).usage(Usage.of(5, 3)).build(),
                                Headers.EMPTY);
                    }

                    @Override
                    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                        ChatRequest c = request.canonical();
                        requests.add(c);
                        sink.event(new StreamEvent.MessageStart("same-id", request.upstreamModel(), null));
                        sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                        sink.event(new StreamEvent.TextDelta(0, "streamed "));
                        sink.event(new StreamEvent.TextDelta(0, String.valueOf(c.messages().size())));
                        sink.event(new StreamEvent.BlockStop(0));
                        sink.event(new StreamEvent.MessageEnd(StopReason.END_TURN, null, Usage.of(5, 2)));
                        sink.complete();
                    }
                };
            }
        });
    }

    private static boolean wantsTool(ChatRequest c) {
        Message last = c.messages().getLast();
        return last.content().getFirst() instanceof ContentBlock.Text t && t.text().contains("weather");
    }

    private static ContentBlock answer(ChatRequest c) {
        if (wantsTool(c)) {
            return new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}");
        }
        return ContentBlock.Text.of("answer " + c.messages().size());
    }
}

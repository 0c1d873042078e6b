package dev.tollgate.bench.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** The stub answers clients that open with the HTTP/2 preface (h2c prior knowledge), chats and streams. */
class UpstreamStubH2cTest {

    @Test
    void answersAChatAndAStreamOverH2c() throws Exception {
        XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        try (UpstreamStub stub = UpstreamStub.start(UpstreamStub.Config.defaults().withHold(3, 10));
                UpstreamClient client = new UpstreamClient(worker, null, 8, 30_000)) {
            XnioIoThread thread = worker.getIoThread(0);
            URI chat = URI.create("http://127.0.0.1:" + stub.port() + "/v1/chat/completions");
            URI hold = URI.create("http://127.0.0.1:" + stub.port() + "/hold/v1/chat/completions");

            CompletableFuture<UpstreamResponse> answer = new CompletableFuture<>();
            UpstreamRequest plain = UpstreamRequest.postJson(chat, Headers.EMPTY, Bytes.utf8("{\"model\":\"m\"}"))
                    .withProtocol(HttpProtocol.H2C_PRIOR_KNOWLEDGE);
            thread.execute(() -> client.send(thread, plain, null).whenComplete((r, e) -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(r);
                }
            }));
            UpstreamResponse r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().utf8()).contains("\"object\":\"chat.completion\"");

            StringBuilder events = new StringBuilder();
            CompletableFuture<String> streamed = new CompletableFuture<>();
            UpstreamRequest stream = UpstreamRequest.postJson(hold, Headers.EMPTY, Bytes.utf8("{\"model\":\"m\",\"stream\":true}"))
                    .withProtocol(HttpProtocol.H2C_PRIOR_KNOWLEDGE);
            thread.execute(() -> client.exchange(thread, stream, new ResponseHandler() {
                @Override
                public void onHeaders(int status, Headers headers) {
                    events.append(status).append('\n');
                }

                @Override
                public void onBody(ByteBuffer chunk) {
                    events.append(StandardCharsets.UTF_8.decode(chunk));
                }

                @Override
                public void onComplete() {
                    streamed.complete(events.toString());
                }

                @Override
                public void onError(GatewayException error) {
                    streamed.completeExceptionally(error);
                }
            }));
            String body = streamed.get(10, TimeUnit.SECONDS);
            assertThat(body).startsWith("200\n").endsWith("data: [DONE]\n\n");
            assertThat(client.openConnections()).isEqualTo(1);
        } finally {
            worker.shutdownNow();
        }
    }
}

package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The kernel's outbound HTTP stood in for by the JDK's client, so an adapter test talks to a real
 * server (WireMock) over a socket: bodies arrive in the pieces the network delivers, and a reset
 * connection is an {@link ResponseHandler#onError}.
 */
final class JdkUpstreamHttp implements UpstreamHttp, AutoCloseable {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpRequest request(UpstreamRequest r) {
        HttpRequest.Builder b = HttpRequest.newBuilder(r.uri()).method(r.method(), HttpRequest.BodyPublishers.ofByteArray(r.body().toArray()));
        for (int i = 0; i < r.headers().size(); i++) {
            b.header(r.headers().name(i), r.headers().value(i));
        }
        return b.build();
    }

    private static Headers headers(HttpResponse<?> response) {
        Headers.Builder b = Headers.builder();
        for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
            if (!e.getKey().startsWith(":")) {
                e.getValue().forEach(v -> b.add(e.getKey(), v));
            }
        }
        return b.build();
    }

    private static GatewayException reset(Throwable cause) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_reset").message("the connection failed")
                .cause(cause).build();
    }

    @Override
    public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
        return client.sendAsync(request(request), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new UpstreamResponse(r.statusCode(), headers(r), Bytes.wrapOwned(r.body())));
    }

    /**
     * Blocks the calling thread (the call's, in a test) while it reads, so every callback runs there, in
     * order, as the kernel's would; the body still comes in the pieces the socket delivers.
     */
    @Override
    public void stream(UpstreamRequest request, ResponseHandler handler) {
        HttpResponse<InputStream> response;
        try {
            response = client.send(request(request), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            handler.onError(reset(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handler.onError(reset(e));
            return;
        }
        handler.onHeaders(response.statusCode(), headers(response));
        byte[] buffer = new byte[4096];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    handler.onBody(ByteBuffer.wrap(Arrays.copyOf(buffer, n)).asReadOnlyBuffer());
                }
            }
            handler.onComplete();
        } catch (IOException e) {
            handler.onError(reset(e));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}

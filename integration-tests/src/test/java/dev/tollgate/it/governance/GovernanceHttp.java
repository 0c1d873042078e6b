package dev.tollgate.it.governance;

import dev.tollgate.it.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** HTTP calls of the governance tests: admin requests with the master key, and bounded polling. */
final class GovernanceHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private GovernanceHttp() {}

    static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** An admin request with {@code master} as its key; {@code body} null for none. */
    static HttpResponse<String> admin(RunningGateway g, String master, String method, String path, String body) {
        return send(HttpRequest.newBuilder(g.uri(path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + master)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Polls every {@code every}, for at most 5 s; the milliseconds until {@code condition} held. */
    static long millisUntil(BooleanSupplier condition, Duration every) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > Duration.ofSeconds(5).toNanos()) {
                throw new AssertionError("the condition did not hold within 5 s");
            }
            Thread.sleep(every.toMillis());
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}

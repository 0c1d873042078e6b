package dev.tollgate.it.dist;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client threads that send the same non-stream chat request with one key, back to back, until
 * stopped or until the gateway stops answering. Each request carries its own {@code x-request-id};
 * every request sent and every answer received (with the moment it was received) is recorded.
 */
final class ChatLoad implements AutoCloseable {

    /**
     * One answer: the request id sent, the {@code x-request-id} answered, the status, {@link System#nanoTime()}
     * when it was received whole, and its {@code x-tollgate-cost}.
     */
    record Answer(String requestId, String echoedRequestId, int status, long receivedNanos, String cost) {}

    private final HttpClient client = Dist.client();
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger cutOff = new AtomicInteger();
    private final AtomicLong lastAnswerNanos = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch ended;
    private final int port;
    private final String key;
    private final String body;

    private ChatLoad(int port, String key, String model, int threads) {
        this.port = port;
        this.key = key;
        this.body = "{\"model\":\"" + model + "\",\"max_tokens\":24,\"messages\":[{\"role\":\"user\",\"content\":\"say something\"}]}";
        this.ended = new CountDownLatch(threads);
    }

    /** Starts {@code threads} client threads on {@code model} with {@code key}. */
    static ChatLoad start(int port, String key, String model, int threads) {
        ChatLoad load = new ChatLoad(port, key, model, threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofPlatform().name("chat-load-" + t).daemon().start(() -> load.run(thread));
        }
        return load;
    }

    private void run(int thread) {
        try {
            for (int n = 0; !stopped.get(); n++) {
                String id = "crash-" + thread + "-" + n;
                HttpRequest request = HttpRequest.newBuilder(Dist.uri(port, "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .header("x-request-id", id)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                sent.add(id);
                inFlight.incrementAndGet();
                HttpResponse<String> r;
                try {
                    r = client.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException gatewayGone) {
                    cutOff.incrementAndGet();
                    return;
                } finally {
                    inFlight.decrementAndGet();
                }
                long received = System.nanoTime();
                answers.add(new Answer(id, r.headers().firstValue("x-request-id").orElse(null), r.statusCode(), received,
                        r.headers().firstValue("x-tollgate-cost").orElse(null)));
                lastAnswerNanos.accumulateAndGet(received, Math::max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended.countDown();
        }
    }

    /** Requests sent so far, answered or not. */
    Set<String> sent() {
        return Set.copyOf(sent);
    }

    /** Answers received so far. */
    List<Answer> answers() {
        return List.copyOf(answers);
    }

    int answered() {
        return answers.size();
    }

    /** {@link System#nanoTime()} of the latest answer; 0 before the first. */
    long lastAnswerNanos() {
        return lastAnswerNanos.get();
    }

    /** Requests sent and not answered (nor failed) yet. */
    int inFlight() {
        return inFlight.get();
    }

    /** Requests that failed with an I/O error: the gateway went away while they were in flight or being sent. */
    int cutOff() {
        return cutOff.get();
    }

    /** Stops sending and waits (bounded) for every thread to end; false when some did not. */
    boolean stop(Duration limit) throws InterruptedException {
        stopped.set(true);
        return ended.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stopped.set(true);
        client.shutdownNow();
    }
}

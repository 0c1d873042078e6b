package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.metrics.StrictPrometheusParser;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.LogSink;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * A sink that takes a second per batch, or one that always fails, leaves the request path alone:
 * latencies stay those of a gateway without sinks (compared in the same test, generously), and the
 * memory a down sink holds is bounded by its queue while the rest goes to the spill.
 */
class SlowAndDeadSinksTest {

    private static final int REQUESTS = 3000;
    private static final int QUEUE = 1000;

    @Test
    void slowAndDeadSinksDoNotSlowRequests() throws Exception {
        long[] off = run(null);
        long[] slow = run(batch -> Thread.sleep(1000));
        long[] dead = run(batch -> {
            throw new java.io.IOException("the sink is gone");
        });
        long offP50 = p50(off);
        // generous: a loaded 2-core machine varies by more than the effect we guard against
        long bound = offP50 * 3 + 3_000;
        assertTrue(p50(slow) <= bound, "slow sink P50 " + p50(slow) + " µs vs " + offP50 + " µs without sinks");
        assertTrue(p50(dead) <= bound, "dead sink P50 " + p50(dead) + " µs vs " + offP50 + " µs without sinks");
    }

    /** Sends the requests; returns client-side latencies in microseconds. */
    private static long[] run(LogSink sink) throws Exception {
        String yaml = sink == null ? "" : """
                logging:
                  sinks:
                    - name: test
                      queue: %d
                      batch_size: 100
                      flush_interval: 5ms
                      retry_backoff: 5ms
                      max_backoff: 50ms
                """.formatted(QUEUE);
        Map<String, TollgatePlugin> plugins = sink == null ? Map.of() : MemorySinkPlugin.of("test", sink);
        try (KernelHarness g = KernelHarness.withFakeModel(yaml, plugins)) {
            // warm-up, not measured
            send(g, 500, null);
            List<Long> latencies = new ArrayList<>();
            send(g, REQUESTS, latencies);
            if (sink != null) {
                var m = StrictPrometheusParser.parse(g.get("/metrics").body());
                long queued = (long) m.get("tollgate_log_records_pending").samples().stream()
                        .filter(s -> s.labels().get("where").equals("queue")).mapToDouble(s -> s.value()).sum();
                assertTrue(queued <= QUEUE + 100 + 1000, "memory held for a stuck sink is bounded by its queue: " + queued);
                long produced = (long) m.get("tollgate_log_records_produced_total").samples().get(0).value();
                assertEquals(REQUESTS + 500, produced);
            }
            return latencies.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private static void send(KernelHarness g, int n, List<Long> latencies) throws Exception {
        Semaphore window = new Semaphore(8);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>(n);
        List<Long> out = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            window.acquire();
            long start = System.nanoTime();
            sent.add(g.postAsync("/v1/chat/completions", KernelHarness.chat("m")).whenComplete((r, e) -> {
                out.add((System.nanoTime() - start) / 1000);
                window.release();
            }));
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            assertEquals(200, f.get().statusCode());
        }
        if (latencies != null) {
            latencies.addAll(out);
        }
    }

    private static long p50(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

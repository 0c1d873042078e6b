package dev.tollgate.kernel.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache end to end through a gateway: what is a hit, what is a miss, what is never
 * stored, replay across streaming and buffering, tier faults, coalescing. All timing runs on a
 * manual clock.
 */
class ResponseCacheTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private KernelHarness gw;

    @BeforeEach
    void reset() {
        CacheTestPlugin.reset();
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private void start(String cache, String modelExtra, boolean nativeOpenAi) throws IOException {
        Path models = Files.writeString(dir.resolve("models.yaml"), "models:\n  up-m: {input: 1, output: 1}\n");
        gw = KernelHarness.start("""
                plugins: [cache]
                server: {auth: none}
                models_file: %s
                logging: {sinks: [{name: capture, flush_interval: 10ms}]}
                cache:
                %s
                models:
                  m:
                    %s
                    deployments: [{provider: answers, model: up-m, config: {native: %s}}]
                """.formatted(models, cache.indent(2).stripTrailing(), modelExtra, nativeOpenAi),
                Map.<String, TollgatePlugin>of("cache", new CacheTestPlugin()), time);
    }

    private void start() throws IOException {
        start("tiers: [map]", "", false);
    }

    static String chat(String text) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    static String streamedChat(String text) {
        return "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> chatPost(String body, String... headers) {
        return post("/v1/chat/completions", body, headers);
    }

    static String cacheHeader(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-cache").orElse("-");
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text and usage a client reads from a JSON answer or an OpenAI stream. */
    record Read(String text, long input, long output, String finish) {}

    static Read openAi(HttpResponse<String> r) {
        String type = r.headers().firstValue("content-type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            JsonNode j = json(r.body());
            JsonNode u = j.get("usage");
            return new Read(j.at("/choices/0/message/content").asText(), u.get("prompt_tokens").asLong(),
                    u.get("completion_tokens").asLong(), j.at("/choices/0/finish_reason").asText());
        }
        StringBuilder text = new StringBuilder();
        long in = -1;
        long out = -1;
        String finish = null;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode c = json(line.substring(6));
            JsonNode choice = c.at("/choices/0");
            if (!choice.isMissingNode()) {
                text.append(choice.at("/delta/content").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
            if (c.hasNonNull("usage")) {
                in = c.at("/usage/prompt_tokens").asLong();
                out = c.at("/usage/completion_tokens").asLong();
            }
        }
        assertThat(r.body()).as("an OpenAI stream ends with [DONE]").contains("data: [DONE]");
        return new Read(text.toString(), in, out, finish);
    }

    private RequestRecord record(int index) {
        Eventually.await(Duration.ofSeconds(5), () -> CacheTestPlugin.records.size() > index);
        return CacheTestPlugin.records.get(index);
    }

    // ---- hits and misses -------------------------------------------------------------------

    @Test
    void aRepeatedRequestIsAHitThatCallsNoProviderAndCostsNothing() throws IOException {
        start();
        HttpResponse<String> first = chatPost(chat("hello"));
        HttpResponse<String> second = chatPost(chat("hello"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(first)).isEqualTo("MISS");
        assertThat(first.headers().firstValue("x-tollgate-cost")).hasValue("0.001100");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(second)).isEqualTo("HIT");
        assertThat(second.headers().firstValue("x-tollgate-cost")).hasValue("0.000000");
        assertThat(openAi(second)).isEqualTo(openAi(first));
        assertThat(openAi(second).text()).isEqualTo("answer-1: hello");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);

        RequestRecord miss = record(0);
        RequestRecord hit = record(1);
        assertThat(miss.cacheStatus()).isEqualTo(CacheStatus.MISS);
        assertThat(hit.cacheStatus()).isEqualTo(CacheStatus.HIT);
        assertThat(hit.cost().micros()).hasValue(0);
        assertThat(hit.usage()).isEmpty();
        assertThat(hit.metadata()).containsEntry("tollgate.cache_saved_cost_micros", "1100")
                .containsEntry("tollgate.cache_saved_input_tokens", "1000")
                .containsEntry("tollgate.cache_saved_output_tokens", "100")
                .containsEntry("tollgate.cache_tier", "map");
        assertThat(hit.attempts()).isEmpty();
    }

    @Test
    void anyChangeToWhatShapesTheAnswerIsAMiss() throws IOException {
        start();
        String base = "{\"model\":\"m\",\"temperature\":0.5,\"top_p\":0.9,\"seed\":7,\"max_tokens\":64,\"stop\":[\"x\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
        assertThat(cacheHeader(chatPost(base))).isEqualTo("MISS");
        List<String> variants = List.of(
                base.replace("0.5", "0.6"),
                base.replace("0.9", "0.8"),
                base.replace("\"seed\":7", "\"seed\":8"),
                base.replace("64", "65"),
                base.replace("[\"x\"]", "[\"y\"]"),
                base.replace("\"content\":\"q\"", "\"content\":\"q2\""),
                base.replace("\"role\":\"user\",\"content\":\"q\"}]", "\"role\":\"user\",\"content\":\"q\"}],"
                        + "\"response_format\":{\"type\":\"json_object\"}"),
                base.replace("\"seed\":7,", "\"seed\":7,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                        + "\"parameters\":{\"type\":\"object\"}}}],"),
                base.replace("\"top_p\":0.9,", ""));
        for (String v : variants) {
            assertThat(cacheHeader(chatPost(v))).as(v).isEqualTo("MISS");
        }
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1 + variants.size());

        // the same request with its fields in another order, numbers written another way and another end user: a hit
        String same = "{\"messages\":[{\"content\":\"q\",\"role\":\"user\"}],\"stop\":[\"x\"],\"max_tokens\":64,\"seed\":7,"
                + "\"top_p\":0.90,\"temperature\":5e-1,\"model\":\"m\",\"user\":\"someone-else\"}";
        HttpResponse<String> hit = chatPost(same);
        assertThat(cacheHeader(hit)).isEqualTo("HIT");
        assertThat(openAi(hit).text()).isEqualTo("answer-1: q");
    }

    @Test
    void requestsAskingForWhatACachedAnswerCannotReplayBypassTheCache() throws IOException {
        start();
        String twoChoices = "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
        assertThat(cacheHeader(chatPost(twoChoices))).isEqualTo("BYPASS");
        assertThat(cacheHeader(chatPost(twoChoices))).isEqualTo("BYPASS");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
        String oneChoice = "{\"model\":\"m\",\"n\":1,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
        assertThat(cacheHeader(chatPost(oneChoice))).isEqualTo("MISS");
        assertThat(cacheHeader(chatPost(oneChoice))).isEqualTo("HIT");
    }

    // ---- streaming and buffering -------------------------------------------------------------

    @Test
    void aStreamedMissIsReplayedAsJsonWithTheSameContentAndUsage() throws IOException {
        start();
        HttpResponse<String> streamed = chatPost(streamedChat("tool please"));
        HttpResponse<String> json = chatPost(chat("tool please"));
        assertThat(cacheHeader(streamed)).isEqualTo("MISS");
        assertThat(cacheHeader(json)).isEqualTo("HIT");
        assertThat(openAi(json)).isEqualTo(openAi(streamed));
        assertThat(openAi(json)).isEqualTo(new Read("answer-1: tool please", 1000, 100, "tool_calls"));
        assertThat(json(json.body()).at("/choices/0/message/tool_calls/0/function/arguments").asText()).isEqualTo("{\"q\":\"1\"}");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);
    }

    @Test
    void aJsonMissIsReplayedAsAStreamWithTheSameContentAndUsage() throws IOException {
        start();
        HttpResponse<String> json = chatPost(chat("hello"));
        HttpResponse<String> streamed = chatPost(streamedChat("hello"));
        assertThat(cacheHeader(streamed)).isEqualTo("HIT");
        assertThat(streamed.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(openAi(streamed)).isEqualTo(openAi(json));
        assertThat(openAi(streamed)).isEqualTo(new Read("answer-1: hello", 1000, 100, "stop"));
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);
    }

    @Test
    void passThroughAnswersAreStoredStreamedOrNotAndReplayedEitherWay() throws IOException {
        start("tiers: [map]", "", true);
        HttpResponse<String> json = chatPost(chat("native one"));
        HttpResponse<String> streamedHit = chatPost(streamedChat("native one"));
        assertThat(cacheHeader(streamedHit)).isEqualTo("HIT");
        assertThat(openAi(streamedHit)).isEqualTo(openAi(json)).isEqualTo(new Read("answer-1: native one", 1000, 100, "stop"));

        HttpResponse<String> streamed = chatPost(streamedChat("native two"));
        HttpResponse<String> jsonHit = chatPost(chat("native two"));
        assertThat(cacheHeader(streamed)).isEqualTo("MISS");
        assertThat(cacheHeader(jsonHit)).isEqualTo("HIT");
        assertThat(openAi(jsonHit)).isEqualTo(openAi(streamed)).isEqualTo(new Read("answer-2: native two", 1000, 100, "stop"));
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
    }

    @Test
    void anAnthropicClientGetsItsOwnFormatAndNeverAnOpenAiEntry() throws IOException {
        start();
        String messages = "{\"model\":\"m\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        chatPost(chat("hello"));
        HttpResponse<String> miss = post("/v1/messages", messages);
        HttpResponse<String> hit = post("/v1/messages", messages.replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertThat(cacheHeader(miss)).isEqualTo("MISS");
        assertThat(json(miss.body()).at("/content/0/text").asText()).isEqualTo("answer-2: hello");
        assertThat(cacheHeader(hit)).isEqualTo("HIT");
        assertThat(hit.body()).contains("event: message_start").contains("answer-2: hello").contains("\"output_tokens\":100")
                .contains("event: message_stop");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
    }

    // ---- what is never stored ----------------------------------------------------------------

    @Test
    void errorsFilteredRefusedAndTruncatedAnswersAreNotCached() throws IOException {
        start();
        for (String prompt : List.of("fail", "filter", "refuse", "truncate")) {
            for (String body : List.of(chat(prompt), streamedChat(prompt))) {
                int before = CacheTestPlugin.calls.get();
                chatPost(body);
                HttpResponse<String> again = chatPost(body);
                assertThat(cacheHeader(again)).as(body).isEqualTo("MISS");
                assertThat(CacheTestPlugin.calls.get()).as(body).isEqualTo(before + 2);
            }
        }
        assertThat(CacheTestPlugin.store("default")).isEmpty();
    }

    @Test
    void aStreamThatBreaksIsNotCached() throws IOException {
        for (boolean nativeOpenAi : List.of(false, true)) {
            CacheTestPlugin.reset();
            start("tiers: [map]", "", nativeOpenAi);
            HttpResponse<String> broken = chatPost(streamedChat("die"));
            assertThat(broken.body()).doesNotContain("[DONE]");
            assertThat(CacheTestPlugin.store("default")).isEmpty();
            HttpResponse<String> again = chatPost(streamedChat("die"));
            assertThat(cacheHeader(again)).isEqualTo("MISS");
            assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
            assertThat(CacheTestPlugin.store("default")).isEmpty();
            gw.close();
            gw = null;
        }
    }

    // ---- controls ----------------------------------------------------------------------------

    @Test
    void noCacheRefreshesTheEntryAndNoStoreLeavesNone() throws IOException {
        start();
        chatPost(chat("a"));
        HttpResponse<String> refreshed = chatPost(chat("a"), "Cache-Control", "no-cache");
        assertThat(cacheHeader(refreshed)).isEqualTo("BYPASS");
        assertThat(openAi(refreshed).text()).isEqualTo("answer-2: a");
        assertThat(openAi(chatPost(chat("a"))).text()).as("the refreshed answer is served").isEqualTo("answer-2: a");

        assertThat(cacheHeader(chatPost(chat("b"), "Cache-Control", "no-store"))).isEqualTo("MISS");
        assertThat(cacheHeader(chatPost(chat("b")))).as("nothing was stored").isEqualTo("MISS");
        assertThat(cacheHeader(chatPost(chat("b"), "Cache-Control", "no-store"))).as("no-store still reads").isEqualTo("HIT");
    }

    @Test
    void aTtlHeaderOfZeroStoresNothingAndAnInvalidOneIs400() throws IOException {
        start();
        assertThat(cacheHeader(chatPost(chat("t"), "x-tollgate-cache-ttl", "0"))).isEqualTo("MISS");
        assertThat(cacheHeader(chatPost(chat("t")))).isEqualTo("MISS");
        HttpResponse<String> bad = chatPost(chat("t"), "x-tollgate-cache-ttl", "soon");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("x-tollgate-cache-ttl");
    }

    @Test
    void aModelWithTheCacheOffIsNeverLookedUp() throws IOException {
        start("tiers: [map]", "cache: {enabled: false}", false);
        HttpResponse<String> r = chatPost(chat("x"));
        chatPost(chat("x"));
        assertThat(r.headers().firstValue("x-tollgate-cache")).isEmpty();
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
        assertThat(record(0).cacheStatus()).isEqualTo(CacheStatus.NONE);
    }

    // ---- faults ------------------------------------------------------------------------------

    @Test
    void aTierThatFailsOrHangsIsBypassedAndTheRequestStillSucceeds() throws Exception {
        start("tiers: [{name: map, timeout: 50ms}]", "", false);
        CacheTestPlugin.modes.put("default", "down");
        HttpResponse<String> down = chatPost(chat("x"));
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(down)).isEqualTo("BYPASS");

        CacheTestPlugin.modes.put("default", "hang");
        CompletableFuture<HttpResponse<String>> pending = gw.postAsync("/v1/chat/completions", chat("x"));
        Eventually.await(Duration.ofSeconds(5), () -> gw.gateway().inFlight() == 1 && time.pending() > 0);
        assertThat(pending).isNotDone();
        time.advance(Duration.ofMillis(60));
        HttpResponse<String> late = pending.join();
        assertThat(late.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(late)).isEqualTo("BYPASS");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(2);
        assertThat(gw.get("/metrics").body()).contains("tollgate_cache_tier_lookups_total{tier=\"map\",result=\"timeout\"} 1")
                .contains("tollgate_cache_tier_lookups_total{tier=\"map\",result=\"error\"} 1");
    }

    @Test
    void aCorruptEntryIsAMissAndIsReplaced() throws Exception {
        start();
        chatPost(chat("c"));
        Map<String, Bytes> store = CacheTestPlugin.store("default");
        String key = store.keySet().iterator().next();
        byte[] damaged = store.get(key).toArray();
        damaged[damaged.length / 2] ^= 0x55;
        store.put(key, Bytes.wrapOwned(damaged));

        HttpResponse<String> r = chatPost(chat("c"));
        assertThat(cacheHeader(r)).isEqualTo("MISS");
        assertThat(openAi(r).text()).isEqualTo("answer-2: c");
        assertThat(openAi(chatPost(chat("c"))).text()).isEqualTo("answer-2: c");
        assertThat(gw.get("/metrics").body()).contains("tollgate_cache_tier_lookups_total{tier=\"map\",result=\"corrupt\"} 1");
    }

    @Test
    void anEntryFoundOnlyInTheSecondTierIsCopiedIntoTheFirst() throws IOException {
        start("tiers: [map, map2]", "", false);
        chatPost(chat("two"));
        assertThat(CacheTestPlugin.store("default")).hasSize(1);
        assertThat(CacheTestPlugin.store("second")).hasSize(1);
        CacheTestPlugin.store("default").clear();

        HttpResponse<String> hit = chatPost(chat("two"));
        assertThat(cacheHeader(hit)).isEqualTo("HIT");
        assertThat(CacheTestPlugin.store("default")).hasSize(1);
        assertThat(record(1).metadata()).containsEntry("tollgate.cache_tier", "map2");

        CacheTestPlugin.modes.put("second", "down");
        assertThat(cacheHeader(chatPost(chat("two")))).as("the first tier answers now").isEqualTo("HIT");
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);
    }

    // ---- coalescing --------------------------------------------------------------------------

    @Test
    void aHundredConcurrentIdenticalMissesCallTheProviderOnceWhenCoalescing() throws IOException {
        start("tiers: [map]\ncoalesce: true", "", false);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(gw.postAsync("/v1/chat/completions", chat("wait for it")));
        }
        Eventually.await(Duration.ofSeconds(20), () -> CacheTestPlugin.calls.get() == 1
                && waiting() == 99);
        time.advance(Duration.ofSeconds(1));
        int hits = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(openAi(r).text()).isEqualTo("answer-1: wait for it");
            hits += cacheHeader(r).equals("HIT") ? 1 : 0;
        }
        assertThat(hits).isEqualTo(99);
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);
    }

    @Test
    void withoutCoalescingConcurrentMissesEachCallTheProvider() throws IOException {
        start();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(gw.postAsync("/v1/chat/completions", chat("wait for it")));
        }
        Eventually.await(Duration.ofSeconds(10), () -> CacheTestPlugin.calls.get() == 10);
        time.advance(Duration.ofSeconds(1));
        all.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));
        assertThat(CacheTestPlugin.calls.get()).isEqualTo(10);
    }

    private long waiting() {
        try {
            for (String line : gw.get("/metrics").body().split("\n")) {
                if (line.startsWith("tollgate_cache_coalesce_waiting ")) {
                    return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
            return -1;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void hitsAreCountedPerModel() throws IOException {
        start();
        chatPost(chat("m1"));
        chatPost(chat("m1"));
        chatPost(chat("m1"), "Cache-Control", "no-cache");
        Eventually.await(Duration.ofSeconds(5), () -> CacheTestPlugin.records.size() == 3);
        String metrics;
        try {
            metrics = gw.get("/metrics").body();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertThat(metrics).contains("tollgate_cache_requests_total{model=\"m\",result=\"hit\"} 1")
                .contains("tollgate_cache_requests_total{model=\"m\",result=\"miss\"} 1")
                .contains("tollgate_cache_requests_total{model=\"m\",result=\"bypass\"} 1");
    }
}

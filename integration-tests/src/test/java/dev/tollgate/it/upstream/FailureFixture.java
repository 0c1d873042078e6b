package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.tollgate.it.upstream.Upstreams.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * A gateway whose models point at upstreams that fail in every way {@link FailureCase} knows: a
 * WireMock server, a port with nothing listening, and a raw upstream that resets its streams after
 * two chunks. A healthy model on the same WireMock shows that the gateway still serves afterwards.
 */
final class FailureFixture implements AutoCloseable {

    static final String FAILING_MODEL = "gpt-test";
    static final String SLOW_MODEL = "gpt-slow";
    static final String DOWN_MODEL = "gpt-down";
    static final String RESET_MODEL = "gpt-reset";
    static final String STALL_MODEL = "gpt-stall";
    static final String LATE_MODEL = "gpt-late";
    static final String TRUNCATED_MODEL = "gpt-truncated";
    static final String OK_MODEL = "gpt-ok";
    static final String OK_UPSTREAM = "ok-model";

    final WireMockServer wireMock;
    final RawSseUpstream resetting;
    /** Sends one chunk, then nothing while keeping the connection open. */
    final RawSseUpstream stalling;
    /** Sends its first chunk only after a second. */
    final RawSseUpstream late;
    /** Ends its response cleanly after one chunk, without a finish reason or [DONE]. */
    final RawSseUpstream truncating;
    final TestGateway gateway;

    FailureFixture() {
        this(false);
    }

    /** @param silentUpstream whether WireMock keeps quiet (it prints unmatched requests, headers and all) */
    FailureFixture(boolean silentUpstream) {
        WireMockConfiguration config = options().dynamicPort().bindAddress("127.0.0.1");
        if (silentUpstream) {
            config.notifier(new Notifier() {
                @Override
                public void info(String message) {}

                @Override
                public void error(String message) {}

                @Override
                public void error(String message, Throwable t) {}
            });
        }
        wireMock = new WireMockServer(config);
        wireMock.start();
        resetting = new RawSseUpstream(new RawSseUpstream.Script(List.of(
                new RawSseUpstream.Step(0, Upstreams.contentChunk("reset-model", "one")),
                new RawSseUpstream.Step(30, Upstreams.contentChunk("reset-model", "two"))),
                RawSseUpstream.Ending.RESET));
        stalling = new RawSseUpstream(new RawSseUpstream.Script(List.of(
                new RawSseUpstream.Step(0, Upstreams.contentChunk("stall-model", "one"))),
                RawSseUpstream.Ending.HOLD));
        late = new RawSseUpstream(new RawSseUpstream.Script(List.of(
                new RawSseUpstream.Step(1_000, Upstreams.contentChunk("late-model", "late")),
                new RawSseUpstream.Step(0, Upstreams.finishChunk("late-model")),
                new RawSseUpstream.Step(0, "[DONE]")),
                RawSseUpstream.Ending.COMPLETE));
        truncating = new RawSseUpstream(new RawSseUpstream.Script(List.of(
                new RawSseUpstream.Step(0, Upstreams.contentChunk("truncated-model", "one"))),
                RawSseUpstream.Ending.COMPLETE));
        String wm = "http://127.0.0.1:" + wireMock.port() + "/v1";
        String yaml = "plugins: [provider-openai]\nmodels:\n"
                + Upstreams.openAiModel(FAILING_MODEL, FailureCase.FAILING, wm, "2s")
                + Upstreams.openAiModel(OK_MODEL, OK_UPSTREAM, wm, "2s")
                + Upstreams.openAiModel(SLOW_MODEL, FailureCase.SLOW, wm, "300ms")
                + Upstreams.openAiModel(DOWN_MODEL, "down-model", "http://127.0.0.1:" + Upstreams.closedPort() + "/v1", "2s")
                + Upstreams.openAiModel(RESET_MODEL, "reset-model", resetting.apiBase(), "2s")
                + Upstreams.openAiModel(STALL_MODEL, "stall-model", stalling.apiBase(), "300ms")
                + Upstreams.openAiModel(LATE_MODEL, "late-model", late.apiBase(), "2s")
                + "        ttft_timeout: 300ms\n"
                + Upstreams.openAiModel(TRUNCATED_MODEL, "truncated-model", truncating.apiBase(), "2s");
        TestGateway started;
        try {
            started = TestGateway.start(yaml, Map.of("UPSTREAM_KEY", KEY));
        } catch (RuntimeException e) {
            closeUpstreams();
            throw e;
        }
        gateway = started;
        reset();
    }

    /** Drops every stub and request record, leaving only the healthy model's answers. */
    void reset() {
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(OK_UPSTREAM)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(OK_UPSTREAM, "all good"))));
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.model", equalTo(OK_UPSTREAM)))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(Upstreams.sseBody(OK_UPSTREAM, "all", " good"))));
    }

    /** Sends the case's request and checks everything the client must see; returns the response. */
    HttpResponse<String> drive(FailureCase c) {
        c.stub().accept(wireMock);
        HttpResponse<String> r = Upstreams.chat(gateway, c.model(), c.stream());
        assertExpected(c, r);
        return r;
    }

    static void assertExpected(FailureCase c, HttpResponse<String> r) {
        FailureCase.Expect x = c.expect();
        assertThat(r.headers().firstValue("x-request-id")).as("x-request-id").isPresent();
        assertThat(r.statusCode()).as("status, body %s", r.body()).isEqualTo(x.status());
        String contentType = r.headers().firstValue("content-type").orElse("");
        JsonNode error;
        if (x.chunksBefore() < 0) {
            assertThat(contentType).as("an error before any chunk is plain JSON, even for a stream")
                    .startsWith("application/json");
            error = Upstreams.assertOpenAiError(r.body());
        } else {
            assertThat(contentType).startsWith("text/event-stream");
            List<String> events = Upstreams.sseData(r.body());
            assertThat(events).as("events of %s", r.body()).hasSize(x.chunksBefore() + 1);
            for (String chunk : events.subList(0, x.chunksBefore())) {
                assertThat(Upstreams.parse(chunk).has("error")).as("chunk before the error: %s", chunk).isFalse();
                assertThat(Upstreams.parse(chunk).path("object").asText()).isEqualTo("chat.completion.chunk");
            }
            assertThat(events).as("a failed stream does not end with [DONE]").doesNotContain("[DONE]");
            error = Upstreams.assertOpenAiError(events.get(events.size() - 1));
        }
        assertThat(error.path("code").asText()).as("code, body %s", r.body()).isIn(x.codes());
        assertThat(error.path("type").asText()).as("type, body %s", r.body()).isEqualTo(x.type());
        if (x.message() != null) {
            assertThat(error.path("message").asText()).as("message").isEqualTo(x.message());
        }
        if (x.retryAfter() != null) {
            assertThat(r.headers().firstValue("retry-after")).as("Retry-After").hasValue(x.retryAfter());
        } else {
            assertThat(r.headers().firstValue("retry-after")).as("Retry-After").isEmpty();
        }
        assertNoPartOfKey(r.body());
    }

    /** No six-character piece of the key: not the key, not its suffix, not a masked form of it. */
    static void assertNoPartOfKey(String text) {
        for (int i = 0; i + 6 <= KEY.length(); i++) {
            assertThat(text).as("must not contain any part of the key").doesNotContain(KEY.substring(i, i + 6));
        }
    }

    /** A request to the healthy model succeeds, streamed or not. */
    void assertStillServes(boolean stream) {
        HttpResponse<String> ok = Upstreams.chat(gateway, OK_MODEL, stream);
        assertThat(ok.statusCode()).as("healthy request after a failure: %s", ok.body()).isEqualTo(200);
        if (stream) {
            List<String> events = Upstreams.sseData(ok.body());
            assertThat(events).last().isEqualTo("[DONE]");
            StringBuilder text = new StringBuilder();
            events.stream().filter(e -> !e.equals("[DONE]")).map(Upstreams::parse)
                    .forEach(chunk -> text.append(Upstreams.deltaContent(chunk)));
            assertThat(text.toString()).isEqualTo("all good");
        } else {
            assertThat(Upstreams.parse(ok.body()).at("/choices/0/message/content").asText()).isEqualTo("all good");
        }
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            closeUpstreams();
        }
    }

    private void closeUpstreams() {
        resetting.close();
        stalling.close();
        late.close();
        truncating.close();
        wireMock.stop();
    }
}

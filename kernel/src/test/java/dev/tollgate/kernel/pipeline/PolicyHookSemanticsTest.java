package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptInfo;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proves the hook order and failure semantics written in {@link RequestPolicy}'s Javadoc. */
class PolicyHookSemanticsTest {

    static final List<String> events = new CopyOnWriteArrayList<>();
    static final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    /** Admissions a test completes by hand, by policy id. */
    static final Map<String, CompletableFuture<Admission>> held = new ConcurrentHashMap<>();

    @BeforeEach
    void clear() {
        events.clear();
        outcomes.clear();
        held.clear();
    }

    /**
     * A policy configured by {@code id}, {@code phase}, {@code reject} (status), {@code admit_bug},
     * {@code admit_error} (throws an Error), {@code hold} (admission completes when the test says),
     * {@code offload} (admits from a virtual thread), {@code answer}, {@code settle_throws} and {@code key}.
     */
    public static final class RecordingPolicies implements TollgatePlugin {
        @Override
        public List<RequestPolicyFactory> requestPolicies() {
            return List.of(new RequestPolicyFactory() {
                @Override
                public String name() {
                    return "recording";
                }

                @Override
                public RequestPolicy create(PluginConfig config, PluginContext context) {
                    String id = config.string("id");
                    PolicyPhase phase = PolicyPhase.valueOf(config.string("phase", "GOVERN"));
                    int reject = config.intValue("reject", 0);
                    boolean admitBug = config.booleanValue("admit_bug", false);
                    boolean admitError = config.booleanValue("admit_error", false);
                    boolean hold = config.booleanValue("hold", false);
                    boolean offload = config.booleanValue("offload", false);
                    String answer = config.string("answer", null);
                    boolean settleThrows = config.booleanValue("settle_throws", false);
                    String keyId = config.string("key", null);
                    return new RequestPolicy() {
                        @Override
                        public PolicyPhase phase() {
                            return phase;
                        }

                        @Override
                        public CompletionStage<Admission> admit(PolicyRequest request) {
                            events.add("admit:" + id + ":principal=" + request.principal().keyId().orElse(null)
                                    + (Thread.currentThread().getName().contains("I/O") ? ":io" : ":other"));
                            if (admitBug) {
                                throw new IllegalStateException("bug in " + id);
                            }
                            if (admitError) {
                                throw new NoClassDefFoundError("com/example/Missing");
                            }
                            if (reject > 0) {
                                return CompletableFuture.failedFuture(GatewayException.builder(ErrorType.RATE_LIMITED, reject, "limited_by_" + id)
                                        .message("rejected by " + id).retryAfter(Duration.ofSeconds(3))
                                        .header("x-ratelimit-remaining-requests", "0").build());
                            }
                            if (answer != null) {
                                return CompletableFuture.completedFuture(Admission.answer(ChatResponse.builder().id("policy-1")
                                        .model("policy").addContent(ContentBlock.Text.of(answer)).usage(Usage.of(0, 0)).build()));
                            }
                            Admission.Builder a = Admission.builder().header("x-policy-" + id, "seen").state("state-" + id);
                            if (keyId != null) {
                                a.principal(Principal.builder().keyId(keyId).teamId("team-1").build());
                            }
                            if (hold) {
                                CompletableFuture<Admission> later = new CompletableFuture<>();
                                held.put(id, later);
                                return later.thenApply(ignored -> a.build());
                            }
                            if (offload) {
                                return context.offload(() -> {
                                    events.add("offloaded:" + id + ":virtual=" + Thread.currentThread().isVirtual());
                                    return a.build();
                                });
                            }
                            return CompletableFuture.completedFuture(a.build());
                        }

                        @Override
                        public CompletionStage<Admission> beforeAttempt(PolicyRequest request, Admission admission, AttemptInfo attempt) {
                            events.add("attempt:" + id + ":" + attempt.index() + ":" + attempt.deploymentId());
                            return CompletableFuture.completedFuture(Admission.builder().state(admission.state() + "+a" + attempt.index()).build());
                        }

                        @Override
                        public CompletionStage<Void> settle(PolicyRequest request, Admission admission, Outcome outcome) {
                            events.add("settle:" + id + ":" + admission.state());
                            outcomes.add(outcome);
                            if (settleThrows) {
                                throw new IllegalStateException("settle failure in " + id);
                            }
                            return CompletableFuture.completedFuture(null);
                        }
                    };
                }
            });
        }
    }

    private static String policies(String... entries) {
        StringBuilder sb = new StringBuilder("policies:\n");
        for (String e : entries) {
            sb.append("  - name: recording\n    config: {").append(e).append("}\n");
        }
        return sb.toString();
    }

    @Test
    void authenticatePhaseRunsFirstThenGovernInConfigOrderAndSettleRunsInReverse() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: g1", "id: auth, phase: AUTHENTICATE, key: key-7", "id: g2"),
                Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-policy-auth")).contains("seen");
            assertThat(r.headers().firstValue("x-policy-g2")).contains("seen");
            Eventually.await(Duration.ofSeconds(5), () -> events.size() == 9);
            assertThat(events).containsExactly(
                    "admit:auth:principal=null:io", "admit:g1:principal=key-7:io", "admit:g2:principal=key-7:io",
                    "attempt:auth:0:m#0", "attempt:g1:0:m#0", "attempt:g2:0:m#0",
                    "settle:g2:state-g2+a0", "settle:g1:state-g1+a0", "settle:auth:state-auth+a0");
        }
    }

    @Test
    void blockingWorkOffloadedByAPolicyRunsOnAVirtualThreadAndTheRequestGoesOn() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: jdbc, offload: true"), Map.of("policies", new RecordingPolicies()))) {
            assertThat(g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode()).isEqualTo(200);
            Eventually.await(Duration.ofSeconds(5), () -> outcomes.size() == 1);
            assertThat(events).contains("offloaded:jdbc:virtual=true");
        }
    }

    @Test
    void settleReceivesTheRealUsageOfTheCall() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: budget"), Map.of("policies", new RecordingPolicies()))) {
            assertThat(g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode()).isEqualTo(200);
            Eventually.await(Duration.ofSeconds(5), () -> outcomes.size() == 1);
            Outcome o = outcomes.get(0);
            assertThat(o.status()).isEqualTo(200);
            assertThat(o.succeeded()).isTrue();
            assertThat(o.usage()).contains(Usage.of(3, 2));
            assertThat(o.deploymentId()).contains("m#0");
            assertThat(o.attempts()).hasSize(1);
            assertThat(o.attempts().get(0).result()).isEqualTo(dev.tollgate.spi.policy.AttemptRecord.Result.SUCCEEDED);
            assertThat(o.cost().isKnown()).as("the fake model has no price").isFalse();
        }
    }

    @Test
    void aRejectionShortCircuitsLaterPoliciesAndSettlesOnlyThoseAdmittedBefore() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: first", "id: limiter, reject: 429", "id: never"),
                Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("3");
            assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
            assertThat(r.body()).contains("\"code\":\"limited_by_limiter\"").contains("\"type\":\"rate_limit_error\"");
            Eventually.await(Duration.ofSeconds(5), () -> events.size() == 3);
            assertThat(events).containsExactly("admit:first:principal=null:io", "admit:limiter:principal=null:io", "settle:first:state-first");
            assertThat(outcomes.get(0).errorCode()).contains("limited_by_limiter");
            assertThat(outcomes.get(0).deploymentId()).isEmpty();
            assertThat(outcomes.get(0).attempts()).isEmpty();
        }
    }

    @Test
    void aRejectionAnswersAnAnthropicClientInAnthropicErrorJson() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: limiter, reject: 429"), Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/messages",
                    "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.body()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"rejected by limiter\"}}");
        }
    }

    @Test
    void anAnswerFromAPolicyShortCircuitsTheProviderAndIsRenderedForTheClient() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: a", "id: guard, answer: 'I cannot help with that.'", "id: never"),
                Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("I cannot help with that.").doesNotContain("echo:");
            HttpResponse<String> s = g.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(s.body()).contains("I cannot help with that.").endsWith("data: [DONE]\n\n");
            Eventually.await(Duration.ofSeconds(5), () -> outcomes.size() == 4);
            assertThat(events).doesNotContain("admit:never:principal=null:io").noneMatch(e -> e.startsWith("attempt:"));
            assertThat(outcomes).allSatisfy(o -> assertThat(o.cost().micros()).hasValue(0));
        }
    }

    @Test
    void aPolicyBugFailsTheRequestWith500WithoutLeakingTheException() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: buggy, admit_bug: true"), Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).contains("\"type\":\"server_error\"").doesNotContain("IllegalStateException").doesNotContain("bug in");
        }
    }

    /** Regression: an Error from a policy (e.g. a class missing from an isolated plugin) escaped the catch and the request hung. */
    @Test
    void anErrorThrownByAPolicyFailsTheRequestInsteadOfHangingIt() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: broken, admit_error: true"), Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).contains("\"code\":\"internal_error\"").doesNotContain("NoClassDefFoundError");
            assertThat(g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode()).isEqualTo(500);
        }
    }

    /**
     * Regression: the hang-up watch was armed before admission, so a client that left during it
     * made settlement run while later policies were still being admitted; those were never
     * settled (a leaked reservation).
     */
    @Test
    void aClientThatHangsUpDuringAdmissionStillGetsEveryAdmittedPolicySettled() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: first", "id: slow, hold: true", "id: third"),
                Map.of("policies", new RecordingPolicies()))) {
            String body = KernelHarness.chat("m");
            try (Socket s = new Socket("127.0.0.1", g.port())) {
                s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Eventually.await(Duration.ofSeconds(5), () -> held.containsKey("slow"));
            }
            Eventually.await(Duration.ofSeconds(5), () -> g.gateway().inFlight() == 0);
            assertThat(events).noneMatch(e -> e.startsWith("settle:"));
            held.get("slow").complete(null);
            Eventually.await(Duration.ofSeconds(5), () -> events.stream().filter(e -> e.startsWith("settle:")).count() == 2);
            assertThat(events).containsSubsequence("settle:slow:state-slow", "settle:first:state-first");
            assertThat(events).noneMatch(e -> e.startsWith("admit:third") || e.startsWith("attempt:"));
            assertThat(outcomes.get(0).clientDisconnected()).isTrue();
            assertThat(outcomes.get(0).attempts()).isEmpty();
        }
    }

    @Test
    void aFailingSettleIsCountedAndTheOthersStillSettle() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: a", "id: b, settle_throws: true"),
                Map.of("policies", new RecordingPolicies()))) {
            assertThat(g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode()).isEqualTo(200);
            Eventually.await(Duration.ofSeconds(5), () -> events.stream().filter(e -> e.startsWith("settle:")).count() == 2);
            assertThat(events).containsSubsequence("settle:b:state-b+a0", "settle:a:state-a+a0");
        }
    }

    @Test
    void settleRunsForAStreamOnceItEnded() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: s"), Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("data: [DONE]").doesNotContain("\"choices\":[]");
            Eventually.await(Duration.ofSeconds(5), () -> outcomes.size() == 1);
            assertThat(outcomes.get(0).usage().orElseThrow().outputTokens()).isEqualTo(3);
            assertThat(outcomes.get(0).stream()).isTrue();
        }
    }
}

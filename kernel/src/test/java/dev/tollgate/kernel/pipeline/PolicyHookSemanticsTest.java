package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proves the hook order and failure semantics written in {@link RequestPolicy}'s Javadoc. */
class PolicyHookSemanticsTest {

    static final List<String> events = new CopyOnWriteArrayList<>();
    static final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        events.clear();
        outcomes.clear();
    }

    /** A policy configured by {@code phase}, {@code reject} (status), {@code settle_throws} and {@code key}. */
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
                    boolean admitThrowsBug = config.booleanValue("admit_bug", false);
                    boolean settleThrows = config.booleanValue("settle_throws", false);
                    String keyId = config.string("key", null);
                    return new RequestPolicy() {
                        @Override
                        public PolicyPhase phase() {
                            return phase;
                        }

                        @Override
                        public Admission admit(PolicyRequest request) {
                            assertThat(Thread.currentThread().isVirtual()).as("policies run off the I/O threads").isTrue();
                            events.add("admit:" + id + ":principal=" + request.principal().keyId());
                            if (admitThrowsBug) {
                                throw new IllegalStateException("bug in " + id);
                            }
                            if (reject > 0) {
                                throw GatewayException.builder(ErrorType.RATE_LIMITED, reject, "limited_by_" + id)
                                        .message("rejected by " + id).retryAfter(Duration.ofSeconds(3)).build();
                            }
                            return new Admission(keyId == null ? null : new Principal(keyId, "team-1", Map.of()),
                                    Headers.of("x-policy-" + id, "seen"), "state-" + id);
                        }

                        @Override
                        public void settle(PolicyRequest request, Admission admission, Outcome outcome) {
                            events.add("settle:" + id + ":" + admission.state());
                            outcomes.add(outcome);
                            if (settleThrows) {
                                throw new IllegalStateException("settle failure in " + id);
                            }
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
            Eventually.await(Duration.ofSeconds(5), () -> events.size() == 6);
            assertThat(events).containsExactly(
                    "admit:auth:principal=null", "admit:g1:principal=key-7", "admit:g2:principal=key-7",
                    "settle:g2:state-g2", "settle:g1:state-g1", "settle:auth:state-auth");
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
            assertThat(o.usage().promptTokens()).isEqualTo(3);
            assertThat(o.usage().completionTokens()).isEqualTo(2);
            assertThat(o.deployment()).isEqualTo("m#0");
        }
    }

    @Test
    void aRejectionShortCircuitsLaterPoliciesAndSettlesOnlyThoseAdmittedBefore() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: first", "id: limiter, reject: 429", "id: never"),
                Map.of("policies", new RecordingPolicies()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("3");
            assertThat(r.body()).contains("\"code\":\"limited_by_limiter\"").contains("\"type\":\"rate_limit_error\"");
            Eventually.await(Duration.ofSeconds(5), () -> events.size() == 3);
            assertThat(events).containsExactly("admit:first:principal=null", "admit:limiter:principal=null", "settle:first:state-first");
            assertThat(outcomes.get(0).errorCode()).isEqualTo("limited_by_limiter");
            assertThat(outcomes.get(0).deployment()).isNull();
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

    @Test
    void aFailingSettleIsCountedAndTheOthersStillSettle() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel(policies("id: a", "id: b, settle_throws: true"),
                Map.of("policies", new RecordingPolicies()))) {
            assertThat(g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode()).isEqualTo(200);
            Eventually.await(Duration.ofSeconds(5), () -> events.size() == 4);
            assertThat(events).containsExactly("admit:a:principal=null", "admit:b:principal=null", "settle:b:state-b", "settle:a:state-a");
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
            assertThat(outcomes.get(0).usage().completionTokens()).isEqualTo(3);
        }
    }
}

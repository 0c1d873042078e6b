package dev.tollgate.kernel.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.config.ResponsesSettings;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoreException;
import dev.tollgate.spi.store.StoredResponse;
import dev.tollgate.spi.testkit.ManualTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What happens after the answer: a store that fails, or a turn that is too large, is counted and never reaches the client. */
class ResponseStateTest {

    private static final byte[] BODY = "{\"model\":\"m\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8);

    /** A store whose put fails as a database outage would, and which records the rest. */
    static final class BrokenStore implements ResponseStore {
        final List<StoredResponse> put = new ArrayList<>();
        boolean down = true;

        @Override
        public void put(StoredResponse response) {
            if (down) {
                throw new StoreException("connection refused to db.internal:5432");
            }
            put.add(response);
        }

        @Override
        public Optional<StoredResponse> get(String id) {
            return put.stream().filter(r -> r.id().equals(id)).findFirst();
        }

        long chainBudget = -1;

        @Override
        public List<StoredResponse> chain(String id, int maxDepth, long maxBytes) {
            chainBudget = maxBytes;
            return get(id).map(List::of).orElse(List.of());
        }

        @Override
        public boolean delete(String id) {
            return put.removeIf(r -> r.id().equals(id));
        }

        @Override
        public int deleteExpired(Instant now, int limit) {
            return 0;
        }
    }

    private static ResponseState state(BrokenStore store, KernelMetrics metrics, long maxTurnBytes) {
        return new ResponseState(new ResponsesSettings(true, ResponsesSettings.Visibility.KEY, Duration.ofDays(30), 100, maxTurnBytes,
                Duration.ofMinutes(10)), store, new ManualTime().clock(), Runnable::run, metrics);
    }

    @Test
    void aStoreThatFailsIsCountedAndNeverThrowsAtTheAnswer() {
        BrokenStore store = new BrokenStore();
        KernelMetrics metrics = new KernelMetrics();
        ResponseState state = state(store, metrics, 1 << 20);
        ResponseState.Prepared p = state.prepareFresh(state.scan(BODY), Principal.ANONYMOUS, BODY);

        assertThatCode(() -> state.storeAnswer(p, "m", ("{\"id\":\"" + p.id() + "\",\"output\":[]}").getBytes(StandardCharsets.UTF_8)))
                .doesNotThrowAnyException();
        assertThat(metrics.prometheus()).contains("tollgate_responses_store_failures_total 1").contains("tollgate_responses_stored_total 0");
        store.down = false;
        state.storeAnswer(state.prepareFresh(state.scan(BODY), Principal.ANONYMOUS, BODY), "m", "{\"output\":[]}".getBytes(StandardCharsets.UTF_8));
        assertThat(metrics.prometheus()).contains("tollgate_responses_stored_total 1");
    }

    @Test
    void anAnswerWhoseTurnIsTooLargeIsNotStoredAndCounted() {
        BrokenStore store = new BrokenStore();
        store.down = false;
        KernelMetrics metrics = new KernelMetrics();
        ResponseState state = state(store, metrics, 1024);
        ResponseState.Prepared p = state.prepareFresh(state.scan(BODY), Principal.ANONYMOUS, BODY);
        String big = "{\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""
                + "y".repeat(2000) + "\"}]}]}";

        state.storeAnswer(p, "m", big.getBytes(StandardCharsets.UTF_8));
        assertThat(store.put).isEmpty();
        assertThat(metrics.prometheus()).contains("tollgate_responses_store_failures_total 1");
    }

    @Test
    void theTurnIsTheInputItemsThenTheOutputItems() {
        byte[] turn = ResponseState.turn("{\"input\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[]}".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"resp_1\",\"output\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(new String(turn, StandardCharsets.UTF_8)).isEqualTo("[{\"role\":\"user\",\"content\":\"q\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}]");
    }

    @Test
    void aConversationIsReadWithinABudgetAndOneThatFillsItIsRefusedBeforeItIsAssembled() {
        BrokenStore store = new BrokenStore();
        store.down = false;
        ResponseState state = new ResponseState(new ResponsesSettings(true, ResponsesSettings.Visibility.KEY, Duration.ofDays(30), 100,
                1 << 20, Duration.ofMinutes(10)), store, new ManualTime().clock(), Runnable::run, new KernelMetrics(), 1000);
        byte[] big = ("[{\"role\":\"user\",\"content\":\"" + "z".repeat(1500) + "\"}]").getBytes(StandardCharsets.UTF_8);
        store.put(StoredResponse.builder().id("resp_big").model("m").createdAt(java.time.Instant.EPOCH).turn(big)
                .response(big).build());
        byte[] next = "{\"model\":\"m\",\"previous_response_id\":\"resp_big\",\"input\":\"more\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> state.prepareContinued(state.scan(next), Principal.ANONYMOUS, next))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).hasValue("previous_response_id");
                    assertThat(e.getMessage()).contains("server.max_request_bytes");
                });
        assertThat(store.chainBudget).as("the store is asked for at most twice the request limit").isEqualTo(2000);
    }
}

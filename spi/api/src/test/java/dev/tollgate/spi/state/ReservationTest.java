package dev.tollgate.spi.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservationTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void aReservationKeepsItsHoldsInOrderAndCopiesThem() {
        List<Hold> holds = new ArrayList<>(List.of(Hold.of("rpm", 1, 60, MINUTE), Hold.of("budget", 500, 10_000, Duration.ofDays(1))));
        Reservation r = Reservation.of("req-1/limits", holds, Duration.ofMinutes(10));
        holds.clear();

        assertThat(r.holds()).extracting(Hold::key).containsExactly("rpm", "budget");
        assertThat(r).isEqualTo(Reservation.builder("req-1/limits", Duration.ofMinutes(10))
                .hold("rpm", 1, 60, MINUTE).hold("budget", 500, 10_000, Duration.ofDays(1)).build());
    }

    @Test
    void invalidReservationsAreRefused() {
        Hold h = Hold.of("k", 1, 1, MINUTE);
        assertThatThrownBy(() -> Reservation.of(" ", List.of(h), MINUTE)).hasMessageContaining("id is blank");
        assertThatThrownBy(() -> Reservation.of("r", List.of(), MINUTE)).hasMessageContaining("at least one hold");
        assertThatThrownBy(() -> Reservation.of("r", List.of(h, Hold.of("k", 2, 5, MINUTE)), MINUTE)).hasMessageContaining("k is held twice");
        assertThatThrownBy(() -> Reservation.of("r", List.of(h), Duration.ZERO)).hasMessageContaining("lease must be positive");
    }

    @Test
    void invalidHoldsAreRefused() {
        assertThatThrownBy(() -> Hold.of("", 1, 1, MINUTE)).hasMessageContaining("key is empty");
        assertThatThrownBy(() -> Hold.of("k", -1, 1, MINUTE)).hasMessageContaining("amount must not be negative");
        assertThatThrownBy(() -> Hold.of("k", 1, -1, MINUTE)).hasMessageContaining("limit must not be negative");
        assertThatThrownBy(() -> Hold.of("k", 1, 1, Duration.ofSeconds(-1))).hasMessageContaining("window must be positive");
        assertThat(Hold.of("k", 0, 0, MINUTE).amount()).isZero();
    }

    @Test
    void aDenialCarriesTheFailingHoldAndAGrantHasNone() {
        ReservationResult denied = ReservationResult.denied(1, "budget", 9_800, 10_000, Duration.ofHours(3));

        assertThat(denied.isGranted()).isFalse();
        assertThat(denied.holdIndex()).isEqualTo(1);
        assertThat(denied.key()).isEqualTo("budget");
        assertThat(denied.current()).isEqualTo(9_800);
        assertThat(denied.limit()).isEqualTo(10_000);
        assertThat(denied.resetsIn()).contains(Duration.ofHours(3));
        assertThat(ReservationResult.denied(0, "k", 0, 0, null).resetsIn()).isEmpty();

        ReservationResult granted = ReservationResult.granted();
        assertThat(granted.isGranted()).isTrue();
        assertThatThrownBy(granted::key).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ReservationResult.denied(-1, "k", 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }
}

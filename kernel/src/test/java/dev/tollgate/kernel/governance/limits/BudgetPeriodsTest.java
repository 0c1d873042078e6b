package dev.tollgate.kernel.governance.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.Period;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BudgetPeriodsTest {

    private final BudgetPeriods berlin = new BudgetPeriods(ZoneId.of("Europe/Berlin"));

    private static BudgetPeriods.Span span(String start, String end) {
        return new BudgetPeriods.Span(Instant.parse(start), Instant.parse(end));
    }

    @Test
    void aDayStartsAtLocalMidnight() {
        assertThat(berlin.spanAt(Period.DAILY, Instant.parse("2026-12-02T22:59:59Z")))
                .isEqualTo(span("2026-12-01T23:00:00Z", "2026-12-02T23:00:00Z"));
        assertThat(berlin.spanAt(Period.DAILY, Instant.parse("2026-12-02T23:00:00Z")))
                .isEqualTo(span("2026-12-02T23:00:00Z", "2026-12-03T23:00:00Z"));
    }

    @Test
    void theDayOfTheSpringChangeHas23Hours() {
        assertThat(berlin.spanAt(Period.DAILY, Instant.parse("2026-03-29T12:00:00Z")))
                .isEqualTo(span("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"));
    }

    @Test
    void aWeekStartsOnMonday() {
        BudgetPeriods.Span week = span("2026-11-29T23:00:00Z", "2026-12-06T23:00:00Z");
        assertThat(berlin.spanAt(Period.WEEKLY, Instant.parse("2026-11-29T23:00:00Z"))).isEqualTo(week);
        assertThat(berlin.spanAt(Period.WEEKLY, Instant.parse("2026-12-02T10:00:00Z"))).isEqualTo(week);
        assertThat(berlin.spanAt(Period.WEEKLY, Instant.parse("2026-12-06T22:59:59Z"))).isEqualTo(week);
        assertThat(berlin.spanAt(Period.WEEKLY, Instant.parse("2026-12-06T23:00:00Z")).start())
                .isEqualTo(Instant.parse("2026-12-06T23:00:00Z"));
    }

    @Test
    void aMonthStartsOnTheFirst() {
        assertThat(berlin.spanAt(Period.MONTHLY, Instant.parse("2026-12-31T22:59:59Z")))
                .isEqualTo(span("2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z"));
        assertThat(berlin.spanAt(Period.MONTHLY, Instant.parse("2026-12-31T23:00:00Z")))
                .isEqualTo(span("2026-12-31T23:00:00Z", "2027-01-31T23:00:00Z"));
    }

    @Test
    void noPeriodNeverEnds() {
        assertThat(berlin.spanAt(Period.NONE, Instant.parse("2026-12-02T10:00:00Z")))
                .isEqualTo(new BudgetPeriods.Span(Instant.EPOCH, null));
    }
}

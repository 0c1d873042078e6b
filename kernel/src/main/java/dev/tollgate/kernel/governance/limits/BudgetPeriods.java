package dev.tollgate.kernel.governance.limits;

import dev.tollgate.spi.store.Period;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/**
 * Calendar-aligned budget periods in one time zone: a day from local midnight, a week from
 * Monday's midnight, a month from the 1st's midnight. {@link Period#NONE} starts at the epoch and
 * never ends. Midnight that a daylight-saving change skips becomes the first instant of that day.
 */
final class BudgetPeriods {

    /** One period: {@code end} is {@code null} for a period that never ends. */
    record Span(Instant start, Instant end) {}

    private final ZoneId zone;

    BudgetPeriods(ZoneId zone) {
        this.zone = zone;
    }

    ZoneId zone() {
        return zone;
    }

    /** The period of {@code kind} that contains {@code now}. */
    Span spanAt(Period kind, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        return switch (kind) {
            case NONE -> new Span(Instant.EPOCH, null);
            case DAILY -> span(today, today.plusDays(1));
            case WEEKLY -> {
                LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                yield span(monday, monday.plusWeeks(1));
            }
            case MONTHLY -> {
                LocalDate first = today.withDayOfMonth(1);
                yield span(first, first.plusMonths(1));
            }
        };
    }

    private Span span(LocalDate from, LocalDate to) {
        return new Span(from.atStartOfDay(zone).toInstant(), to.atStartOfDay(zone).toInstant());
    }
}

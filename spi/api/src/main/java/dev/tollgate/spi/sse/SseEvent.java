package dev.tollgate.spi.sse;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} field, or {@code null} when absent
 * @param data  the {@code data:} lines joined with {@code \n}
 */
public record SseEvent(String event, Bytes data) {

    public SseEvent {
        requireNonNull(data, "data is null");
    }
}

package dev.tollgate.spi.sink;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.provider.Usage;
import java.time.Instant;

/**
 * One log record per request. It never holds a secret: keys appear by id only.
 *
 * @param requestId     the gateway's request id
 * @param startedAt     when the request arrived
 * @param endpoint      the path
 * @param model         the model the client asked for
 * @param deployment    the deployment that answered, or {@code null}
 * @param status        the status the client received
 * @param errorCode     the error code, or {@code null}
 * @param stream        whether the response was streamed
 * @param usage         usage, never {@code null}
 * @param latencyMicros from arrival to the end of the response
 * @param ttftMicros    from arrival to the first streamed chunk, or -1
 * @param keyId         the key's id, or {@code null}
 * @param teamId        the team's id, or {@code null}
 */
public record RequestRecord(
        String requestId,
        Instant startedAt,
        String endpoint,
        String model,
        String deployment,
        int status,
        String errorCode,
        boolean stream,
        Usage usage,
        long latencyMicros,
        long ttftMicros,
        String keyId,
        String teamId) {

    public RequestRecord {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(usage, "usage is null");
    }
}

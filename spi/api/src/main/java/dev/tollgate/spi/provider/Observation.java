package dev.tollgate.spi.provider;

import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.Optional;

/**
 * What a pass-through adapter observed in bytes it relayed: the kernel needs usage for cost and
 * limits, the stop reason to know whether an answer is complete (and cacheable), and the
 * provider's id of the answer when the client may refer to it later (an OpenAI Responses
 * {@code resp_...} id). Any may be unknown.
 */
public final class Observation {

    public static final Observation NONE = new Observation(null, null, null);

    private final Usage usage;
    private final StopReason stopReason;
    private final String responseId;

    private Observation(Usage usage, StopReason stopReason, String responseId) {
        this.usage = usage;
        this.stopReason = stopReason;
        this.responseId = responseId;
    }

    public static Observation of(Usage usage, StopReason stopReason) {
        return usage == null && stopReason == null ? NONE : new Observation(usage, stopReason, null);
    }

    /**
     * This observation with the provider's id of the relayed answer ({@code null}: unknown).
     *
     * @since 1.1
     */
    public Observation withResponseId(String id) {
        return id == null && responseId == null ? this : usage == null && stopReason == null && id == null ? NONE
                : new Observation(usage, stopReason, id);
    }

    public static Observation usage(Usage usage) {
        return of(usage, null);
    }

    public Optional<Usage> observedUsage() {
        return Optional.ofNullable(usage);
    }

    public Optional<StopReason> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    /**
     * The provider's id of the relayed answer, when it has one the client may use again.
     *
     * @since 1.1
     */
    public Optional<String> responseId() {
        return Optional.ofNullable(responseId);
    }

    /** This observation with {@code later}'s known values taking precedence. */
    public Observation merge(Observation later) {
        return of(later.usage != null ? later.usage : usage, later.stopReason != null ? later.stopReason : stopReason)
                .withResponseId(later.responseId != null ? later.responseId : responseId);
    }

    @Override
    public String toString() {
        return "Observation[usage=" + usage + ", stop=" + stopReason + (responseId == null ? "" : ", id=" + responseId) + "]";
    }
}

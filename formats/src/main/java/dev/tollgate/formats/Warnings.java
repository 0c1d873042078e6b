package dev.tollgate.formats;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Receives what a translation carried lossily or did not understand: an unknown stop reason mapped
 * to {@code OTHER}, a field the target format cannot hold, a block type kept opaque. The caller logs
 * or counts it; a translator never drops something without telling this callback.
 */
@FunctionalInterface
public interface Warnings {

    /**
     * @param what  what happened, e.g. {@code "unknown stop reason"} or {@code "dropped field"}
     * @param value the value or the field path concerned
     */
    void unknown(String what, String value);

    /** A view of {@code warnings} that passes each distinct (what, value) pair on only the first time. */
    static Warnings once(Warnings warnings) {
        Objects.requireNonNull(warnings, "warnings is null");
        Set<String> seen = new HashSet<>();
        return (what, value) -> {
            if (seen.add(what + '\u0000' + value)) {
                warnings.unknown(what, value);
            }
        };
    }
}

package dev.tollgate.plugin.gemini;

/** Receives what a translation carried lossily or did not understand; nothing is dropped without telling it. */
@FunctionalInterface
interface Warnings {

    /**
     * @param what  what happened, e.g. {@code "unknown finishReason"}
     * @param value the value or the field concerned
     */
    void unknown(String what, String value);
}

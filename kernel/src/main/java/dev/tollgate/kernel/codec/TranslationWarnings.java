package dev.tollgate.kernel.codec;

import dev.tollgate.formats.Warnings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where lossy or unknown translations are reported: each distinct kind is logged once and every
 * occurrence counted, so a provider's new stop reason or block type is noticed, never silently
 * dropped.
 */
public final class TranslationWarnings implements Warnings {

    private static final Logger log = LoggerFactory.getLogger("tollgate.translation");
    private static final int MAX_KINDS = 256;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void unknown(String what, String value) {
        String key = what + ": " + BodyJson.printable(value == null ? "" : value);
        LongAdder c = counts.get(key);
        if (c == null) {
            if (counts.size() >= MAX_KINDS) {
                key = "other";
            }
            LongAdder fresh = new LongAdder();
            c = counts.putIfAbsent(key, fresh);
            if (c == null) {
                c = fresh;
                log.warn("translation: {} (logged once; counted in tollgate_translation_warnings_total)", key);
            }
        }
        c.increment();
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}

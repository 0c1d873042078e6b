package dev.tollgate.kernel.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * The OpenMetrics 1.0 text form of the kernel's Prometheus 0.0.4 exposition, for scrapers that ask
 * for it ({@code Accept: application/openmetrics-text}). The two differ in three places the kernel
 * uses: a counter family is named without its {@code _total} suffix (its samples keep it, and a
 * counter a plugin named without the suffix gets it on its samples), and the text ends with
 * {@code # EOF}.
 */
public final class OpenMetrics {

    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private OpenMetrics() {}

    /** Whether an {@code Accept} header prefers OpenMetrics (Prometheus sends it first when it can read it). */
    public static boolean wanted(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    public static String fromPrometheus(String text) {
        // counter family name in the 0.0.4 text → its OpenMetrics family name
        Map<String, String> counters = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ") && line.endsWith(" counter")) {
                String name = line.substring(7, line.length() - 8);
                counters.put(name, name.endsWith("_total") ? name.substring(0, name.length() - 6) : name);
            }
        }
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String rest = line.substring(7);
                int sp = rest.indexOf(' ');
                String name = sp < 0 ? rest : rest.substring(0, sp);
                String family = counters.get(name);
                out.append(line, 0, 7).append(family != null ? family : name).append(sp < 0 ? "" : rest.substring(sp)).append('\n');
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            String name = line.substring(0, end);
            String family = counters.get(name);
            if (family != null && !name.endsWith("_total")) {
                out.append(name).append("_total").append(line, end, line.length()).append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        return out.append("# EOF\n").toString();
    }
}

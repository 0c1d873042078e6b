package dev.tollgate.kernel.metrics;

import java.util.List;
import java.util.regex.Pattern;

/** Names, label values and text escaping of the Prometheus text format 0.0.4. */
final class LabelValues {

    static final int MAX_VALUE_LENGTH = 128;
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private LabelValues() {}

    /**
     * {@code values} itself when every value is fine (the hot path allocates nothing), otherwise a
     * copy with long values cut and control characters other than newline replaced by {@code _}.
     */
    static String[] sanitize(String[] values) {
        String[] out = values;
        for (int i = 0; i < values.length; i++) {
            String v = values[i];
            if (v == null) {
                throw new IllegalArgumentException("label value " + i + " is null");
            }
            if (needsCleaning(v)) {
                if (out == values) {
                    out = values.clone();
                }
                out[i] = clean(v);
            }
        }
        return out;
    }

    private static boolean needsCleaning(String v) {
        if (v.length() > MAX_VALUE_LENGTH) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\n') || c == 0x7f || Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String clean(String v) {
        StringBuilder sb = new StringBuilder(Math.min(v.length(), MAX_VALUE_LENGTH));
        for (int i = 0; i < v.length() && sb.length() < MAX_VALUE_LENGTH; i++) {
            char c = v.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                if (sb.length() + 2 > MAX_VALUE_LENGTH) {
                    break;
                }
                sb.append(c).append(v.charAt(++i));
            } else if ((c < 0x20 && c != '\n') || c == 0x7f || Character.isSurrogate(c)) {
                sb.append('_');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String metricName(String name) {
        if (name == null || !METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' must be letters, digits, '_' and ':', not starting with a digit");
        }
        return name;
    }

    static List<String> labelNames(List<String> names, boolean histogram) {
        List<String> copy = List.copyOf(names);
        for (int i = 0; i < copy.size(); i++) {
            String n = copy.get(i);
            if (!LABEL_NAME.matcher(n).matches() || n.startsWith("__")) {
                throw new IllegalArgumentException("label name '" + n + "' must be letters, digits and '_', not starting with a digit or '__'");
            }
            if (histogram && n.equals("le")) {
                throw new IllegalArgumentException("a histogram cannot have a label named 'le'");
            }
            if (copy.indexOf(n) != i) {
                throw new IllegalArgumentException("label name '" + n + "' appears twice");
            }
        }
        return copy;
    }

    static void appendLabelValue(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    static void appendHelp(StringBuilder sb, String help) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
            }
        }
    }
}

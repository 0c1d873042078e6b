package dev.tollgate.kernel.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4, for tests: it refuses anything a scraper
 * could misread (no Java parser of the format is published). Beyond the grammar it checks that each
 * family has one TYPE line before its samples, that a family's samples are contiguous, that no
 * series repeats, and that each histogram has increasing {@code le} bounds ending in {@code +Inf},
 * non-decreasing bucket counts, a {@code _sum}, and a {@code _count} equal to its {@code +Inf} bucket.
 */
public final class StrictPrometheusParser {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {}

    public record Family(String name, String type, String help, List<Sample> samples) {}

    private StrictPrometheusParser() {}

    /** Parses {@code text} into families by name, in order; fails with {@link IllegalArgumentException} naming the line. */
    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isEmpty()) {
                throw new IllegalArgumentException(where + "empty line");
            }
            if (line.startsWith("# HELP ")) {
                String rest = line.substring(7);
                int sp = rest.indexOf(' ');
                String name = sp < 0 ? rest : rest.substring(0, sp);
                requireName(where, name);
                if (help.put(name, unescapeHelp(where, sp < 0 ? "" : rest.substring(sp + 1))) != null) {
                    throw new IllegalArgumentException(where + "second HELP for " + name);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", -1);
                if (parts.length != 2 || !TYPES.contains(parts[1])) {
                    throw new IllegalArgumentException(where + "TYPE needs a name and one of " + TYPES);
                }
                requireName(where, parts[0]);
                if (families.containsKey(parts[0])) {
                    throw new IllegalArgumentException(where + "second TYPE for " + parts[0]);
                }
                if (current != null) {
                    closed.add(current.name());
                }
                current = new Family(parts[0], parts[1], help.get(parts[0]), new ArrayList<>());
                families.put(parts[0], current);
                continue;
            }
            if (line.startsWith("#")) {
                throw new IllegalArgumentException(where + "unexpected comment");
            }
            Sample s = sample(where, line);
            Family f = familyOf(s.name(), families);
            if (f == null || f != current) {
                throw new IllegalArgumentException(where + (f == null ? "sample before its TYPE line" : "samples of " + f.name()
                        + " are not contiguous"));
            }
            if (!series.add(s.name() + s.labels())) {
                throw new IllegalArgumentException(where + "duplicate series");
            }
            f.samples().add(s);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static Family familyOf(String sample, Map<String, Family> families) {
        Family f = families.get(sample);
        if (f != null && !f.type().equals("histogram")) {
            return f;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                Family h = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (h != null && h.type().equals("histogram")) {
                    return h;
                }
            }
        }
        return null;
    }

    private static Sample sample(String where, String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(where, name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "label without '='");
                }
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches()) {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value must be quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException(where + "unterminated label value");
                    }
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = j + 1 < line.length() ? line.charAt(j + 1) : 0;
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape in label value");
                        }
                        j += 2;
                        continue;
                    }
                    value.append(c);
                    j++;
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " repeated");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException(where + "expected one space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || rest[0].isEmpty()) {
            throw new IllegalArgumentException(where + "expected a value and at most a timestamp");
        }
        double value = number(where, rest[0]);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "bad timestamp");
            }
        }
        return new Sample(name, labels, value);
    }

    private static double number(String where, String v) {
        switch (v) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                if (!v.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException(where + "bad number '" + v + "'");
                }
                return Double.parseDouble(v);
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        Set<Map<String, String>> sums = new HashSet<>();
        for (Sample s : f.samples()) {
            if (s.name().equals(f.name() + "_bucket")) {
                Map<String, String> rest = new LinkedHashMap<>(s.labels());
                if (rest.remove("le") == null) {
                    throw new IllegalArgumentException(f.name() + ": bucket without le");
                }
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(s.labels(), s.value());
            } else if (s.name().equals(f.name() + "_sum")) {
                sums.add(s.labels());
            } else {
                throw new IllegalArgumentException(f.name() + ": histogram sample " + s.name());
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : buckets.entrySet()) {
            double lastLe = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : e.getValue()) {
                double le = number(f.name(), b.labels().get("le"));
                if (!(le > lastLe) || b.value() < lastCount) {
                    throw new IllegalArgumentException(f.name() + e.getKey() + ": buckets must rise in le and never fall in count");
                }
                lastLe = le;
                lastCount = b.value();
            }
            if (lastLe != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": no +Inf bucket");
            }
            if (!sums.contains(e.getKey()) || counts.get(e.getKey()) == null || counts.get(e.getKey()) != lastCount) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": _sum missing or _count not equal to the +Inf bucket");
            }
        }
        if (!buckets.keySet().equals(counts.keySet())) {
            throw new IllegalArgumentException(f.name() + ": _count without buckets");
        }
    }

    private static void requireName(String where, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
    }

    private static String unescapeHelp(String where, String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                char e = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                switch (e) {
                    case '\\' -> sb.append('\\');
                    case 'n' -> sb.append('\n');
                    default -> throw new IllegalArgumentException(where + "bad escape in HELP");
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

package dev.tollgate.spi.testkit.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The results of one provider's conformance run, written to {@code target/conformance/<provider>.json}
 * for {@link CompatibilityMatrix}. One result per line, in case and format order, so the file is
 * stable from run to run and the matrix deterministic.
 */
public record ConformanceResults(String provider, List<Result> results) {

    /** How a case ended. */
    public enum Outcome { PASS, FAIL, NOT_APPLICABLE }

    /**
     * @param caseId the {@link ConformanceCase#id()}
     * @param format the inbound format's name ({@code OPENAI_CHAT}, {@code ANTHROPIC_MESSAGES})
     * @param mode   {@code pass-through} or {@code translated}
     * @param note   why a case does not apply, or the first line of a failure; empty otherwise
     */
    public record Result(String caseId, String format, String mode, Outcome outcome, String note) {}

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    public ConformanceResults {
        results = List.copyOf(results);
    }

    /** Writes {@code <directory>/<provider>.json}. */
    public Path write(Path directory) {
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing((Result r) -> caseOrder(r.caseId())).thenComparing(Result::format));
        StringBuilder sb = new StringBuilder("{\"provider\":").append(Json.quote(provider)).append(",\"results\":[\n");
        for (int i = 0; i < sorted.size(); i++) {
            Result r = sorted.get(i);
            sb.append("{\"case\":").append(Json.quote(r.caseId())).append(",\"format\":").append(Json.quote(r.format()))
                    .append(",\"mode\":").append(Json.quote(r.mode())).append(",\"result\":")
                    .append(Json.quote(r.outcome().name().toLowerCase(java.util.Locale.ROOT))).append(",\"note\":")
                    .append(Json.quote(r.note())).append('}').append(i + 1 < sorted.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(provider + ".json");
            Files.writeString(file, sb, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file {@link #write} wrote. */
    public static ConformanceResults read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String provider = null;
        List<Result> results = new ArrayList<>();
        for (String line : lines) {
            java.util.Map<String, String> fields = new java.util.HashMap<>();
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                fields.put(m.group(1), Json.unescape(m.group(2)));
            }
            if (fields.containsKey("provider")) {
                provider = fields.get("provider");
            }
            if (fields.containsKey("case")) {
                results.add(new Result(fields.get("case"), fields.get("format"), fields.get("mode"),
                        Outcome.valueOf(fields.get("result").toUpperCase(java.util.Locale.ROOT)), fields.getOrDefault("note", "")));
            }
        }
        if (provider == null) {
            throw new IllegalArgumentException(file + " is not a conformance results file");
        }
        return new ConformanceResults(provider, results);
    }

    static int caseOrder(String caseId) {
        for (ConformanceCase c : ConformanceCase.values()) {
            if (c.id().equals(caseId)) {
                return c.ordinal();
            }
        }
        return Integer.MAX_VALUE;
    }
}

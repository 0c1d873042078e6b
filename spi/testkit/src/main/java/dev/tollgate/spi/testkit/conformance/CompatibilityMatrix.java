package dev.tollgate.spi.testkit.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Renders {@code docs/compatibility.md} from conformance results files: one column per provider and
 * inbound API, one row per case, and the reasons for every case that does not apply. The output
 * depends only on the results, so a build can compare it with the committed file.
 */
public final class CompatibilityMatrix {

    /** How the generated page tells readers to regenerate it. */
    public static final String REGENERATE = "./mvnw -B verify -pl integration-tests -am "
            + "-Dtest='*ConformanceTest,CompatibilityDocTest' -Dsurefire.failIfNoSpecifiedTests=false -Dtollgate.compatibility.write=true";

    private CompatibilityMatrix() {}

    /** Every {@code *.json} under each {@code <dir>/target/conformance/}, for each dir in {@code moduleDirs}. */
    public static List<ConformanceResults> collect(List<Path> moduleDirs) {
        List<ConformanceResults> out = new ArrayList<>();
        for (Path module : moduleDirs) {
            Path dir = module.resolve("target").resolve("conformance");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().forEach(f -> out.add(ConformanceResults.read(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.sort(Comparator.comparing(ConformanceResults::provider));
        return out;
    }

    /** The page for {@code runs}. */
    public static String render(List<ConformanceResults> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Compatibility matrix\n\n");
        sb.append("<!-- Generated from the conformance results; do not edit. Regenerate with:\n     ").append(REGENERATE)
                .append("\n-->\n\n");
        sb.append("What each provider adapter does with each case of the conformance suite (`spi/testkit`,\n")
                .append("`ProviderConformanceSuite`), for clients of each API. Generated from the suite's results by the\n")
                .append("build and checked by `CompatibilityDocTest`, never edited by hand ([plugin-guide.md](plugin-guide.md)\n")
                .append("says how to run the suite and regenerate this page).\n\n");
        sb.append("`pass`: the answer equals the golden canonical result (translated) or the provider's bytes reach the\n")
                .append("client unchanged with usage observed (pass-through, marked `pt` in the header); `FAIL`: it did not;\n")
                .append("`n/a`: the provider cannot produce the case (the notes say why).\n\n");
        Map<String, Column> columns = new LinkedHashMap<>();
        for (ConformanceResults run : runs) {
            Map<String, ConformanceResults.Result> byKey = new TreeMap<>();
            for (ConformanceResults.Result r : run.results()) {
                String key = run.provider() + "/" + r.format();
                Column col = columns.computeIfAbsent(key, k -> new Column(run.provider(), r.format(), r.mode(), new LinkedHashMap<>()));
                col.results().put(r.caseId(), r);
                byKey.put(key, r);
            }
        }
        List<Column> ordered = new ArrayList<>(columns.values());
        ordered.sort(Comparator.comparing(Column::provider).thenComparing(Column::format));
        sb.append("| case |");
        for (Column c : ordered) {
            sb.append(' ').append(c.provider()).append(" ← ").append(api(c.format()))
                    .append("pass-through".equals(c.mode()) ? " (pt)" : "").append(" |");
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(ordered.size()));
        sb.append('\n');
        for (ConformanceCase cc : ConformanceCase.values()) {
            sb.append("| ").append(cc.description()).append(" (`").append(cc.id()).append("`) |");
            for (Column c : ordered) {
                ConformanceResults.Result r = c.results().get(cc.id());
                String cell = r == null ? "not run" : switch (r.outcome()) {
                    case PASS -> "pass";
                    case FAIL -> "FAIL";
                    case NOT_APPLICABLE -> "n/a";
                };
                sb.append(' ').append(cell).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\n## Notes\n");
        for (ConformanceResults run : runs) {
            Map<String, String> notes = new LinkedHashMap<>();
            run.results().stream()
                    .filter(r -> r.outcome() != ConformanceResults.Outcome.PASS && !r.note().isEmpty())
                    .sorted(Comparator.comparing((ConformanceResults.Result r) -> ConformanceResults.caseOrder(r.caseId())))
                    .forEach(r -> notes.putIfAbsent(r.caseId(), (r.outcome() == ConformanceResults.Outcome.FAIL ? "FAIL: " : "")
                            + r.note()));
            if (notes.isEmpty()) {
                continue;
            }
            sb.append("\n**").append(run.provider()).append("**\n\n");
            notes.forEach((id, note) -> sb.append("- `").append(id).append("`: ").append(note.replace("|", "\\|")).append('\n'));
        }
        return sb.toString();
    }

    private static String api(String format) {
        return switch (format) {
            case "OPENAI_CHAT" -> "OpenAI";
            case "ANTHROPIC_MESSAGES" -> "Anthropic";
            case "OPENAI_RESPONSES" -> "OpenAI Responses";
            default -> format;
        };
    }

    /**
     * Compares (or with {@code write}, rewrites) {@code page} with the page rendered from the results of
     * {@code moduleDirs}.
     *
     * @return {@code null} when up to date (or written), else a message with the regenerated page
     */
    public static String check(List<Path> moduleDirs, Path page, boolean write) {
        List<ConformanceResults> runs = collect(moduleDirs);
        if (runs.isEmpty()) {
            return "no conformance results under " + moduleDirs + ": run the providers' conformance tests first:\n  " + REGENERATE;
        }
        String rendered = render(runs);
        String current;
        try {
            current = Files.exists(page) ? Files.readString(page, StandardCharsets.UTF_8) : "";
            if (write) {
                if (!rendered.equals(current)) {
                    Files.writeString(page, rendered, StandardCharsets.UTF_8);
                }
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rendered.equals(current)) {
            return null;
        }
        return page + " is out of date with the conformance results. Regenerate it with\n  " + REGENERATE
                + "\nand commit it. The regenerated page:\n\n" + rendered;
    }

    private record Column(String provider, String format, String mode, Map<String, ConformanceResults.Result> results) {}
}

package dev.tollgate.kernel.records;

import dev.tollgate.kernel.logging.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What every logged body passes before it reaches a record: the secrets the gateway knows of
 * (configured keys and references) are masked, then strings shaped like API keys and bearer
 * tokens, then the operator's own patterns ({@code logging.bodies.redact}) in order.
 */
public final class BodyRedactor {

    /** A pattern and what replaces each match ({@code $1} and the like allowed). */
    public record Rule(Pattern pattern, String replacement) {}

    static final List<Rule> BUILT_IN = List.of(
            new Rule(Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), "[redacted key]"),
            new Rule(Pattern.compile("\\btg-[A-Za-z0-9_-]{16,}"), "[redacted key]"),
            new Rule(Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"), "[redacted key]"),
            new Rule(Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}"), "Bearer [redacted]"));

    private final List<Rule> rules;

    public BodyRedactor(List<Rule> own) {
        List<Rule> all = new ArrayList<>(BUILT_IN);
        all.addAll(own);
        this.rules = List.copyOf(all);
    }

    public String redact(String body) {
        String s = Secrets.scrub(body);
        for (Rule r : rules) {
            s = r.pattern().matcher(s).replaceAll(r.replacement());
        }
        return s;
    }
}

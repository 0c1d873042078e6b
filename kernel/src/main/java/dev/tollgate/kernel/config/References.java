package dev.tollgate.kernel.config;

import dev.tollgate.spi.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}}, {@code ${env:NAME:-default}} and {@code ${file:path}} references
 * inside configuration strings. A relative file path is resolved against the config file's folder.
 */
public final class References {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    private final Function<String, String> environment;
    private final Path baseDirectory;

    public References(Function<String, String> environment, Path baseDirectory) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
    }

    public static References fromSystem(Path baseDirectory) {
        Map<String, String> env = System.getenv();
        return new References(env::get, baseDirectory);
    }

    /** Whether {@code value} consists of exactly one reference. */
    public static boolean isSingleReference(String value) {
        Matcher m = REFERENCE.matcher(value.trim());
        return m.matches();
    }

    public static boolean containsReference(String value) {
        return REFERENCE.matcher(value).find();
    }

    /**
     * One reference met while resolving: the text as written, what it resolved to, and whether
     * that came from the environment or a file (rather than the {@code :-default} written beside it).
     */
    public record Resolution(String written, String value, boolean external) {}

    /** Resolves every reference in {@code value}; {@code key} names the setting in errors. */
    public String resolve(String key, String value) {
        return resolve(key, value, r -> {});
    }

    /** Like {@link #resolve(String, String)}, telling {@code seen} about each reference resolved. */
    public String resolve(String key, String value, Consumer<Resolution> seen) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Resolution r = m.group(1).equals("env") ? env(key, m.group(), m.group(2)) : file(key, m.group(), m.group(2));
            seen.accept(r);
            m.appendReplacement(out, Matcher.quoteReplacement(r.value()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Resolution env(String key, String written, String spec) {
        int dflt = spec.indexOf(":-");
        String name = dflt < 0 ? spec : spec.substring(0, dflt);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException(key + ": '" + name + "' is not a valid environment variable name");
        }
        String value = environment.apply(name);
        if (value == null || value.isEmpty()) {
            if (dflt >= 0) {
                return new Resolution(written, spec.substring(dflt + 2), false);
            }
            throw new ConfigException(key + " refers to environment variable " + name
                    + ", which is not set (write ${env:" + name + ":-default} to give a default)");
        }
        return new Resolution(written, value, true);
    }

    private Resolution file(String key, String written, String pathText) {
        Path path = baseDirectory.resolve(pathText.trim());
        try {
            return new Resolution(written, Files.readString(path, StandardCharsets.UTF_8).strip(), true);
        } catch (IOException e) {
            throw new ConfigException(key + " refers to file " + path + ", which cannot be read: " + e.getClass().getSimpleName());
        }
    }
}

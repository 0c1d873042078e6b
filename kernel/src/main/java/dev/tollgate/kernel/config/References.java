package dev.tollgate.kernel.config;

import dev.tollgate.spi.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    /** Resolves every reference in {@code value}; {@code key} names the setting in errors. */
    public String resolve(String key, String value) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1).equals("env") ? env(key, m.group(2)) : file(key, m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String env(String key, String spec) {
        int dflt = spec.indexOf(":-");
        String name = dflt < 0 ? spec : spec.substring(0, dflt);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException(key + ": '" + name + "' is not a valid environment variable name");
        }
        String value = environment.apply(name);
        if (value == null || value.isEmpty()) {
            if (dflt >= 0) {
                return spec.substring(dflt + 2);
            }
            throw new ConfigException(key + " refers to environment variable " + name
                    + ", which is not set (write ${env:" + name + ":-default} to give a default)");
        }
        return value;
    }

    private String file(String key, String pathText) {
        Path path = baseDirectory.resolve(pathText.trim());
        try {
            return Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(key + " refers to file " + path + ", which cannot be read: " + e.getClass().getSimpleName());
        }
    }
}

package dev.tollgate.kernel.catalog;

import dev.tollgate.spi.catalog.Capability;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One model's entry as written in {@code models.yaml}, or a deployment's {@code model_info}
 * override: every field may be absent ({@code null}), so that an override can be merged key by key
 * over a catalog entry. Prices are exact decimals in US dollars per million tokens.
 */
public record CatalogEntry(
        BigDecimal input,
        BigDecimal output,
        BigDecimal cachedInput,
        BigDecimal cacheWrite,
        BigDecimal reasoning,
        Long contextWindow,
        Long maxOutputTokens,
        Set<Capability> capabilities) {

    public static final CatalogEntry EMPTY = new CatalogEntry(null, null, null, null, null, null, null, null);

    private static final String CAPABILITY_NAMES = Arrays.stream(Capability.values())
            .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

    public CatalogEntry {
        capabilities = capabilities == null ? null : Set.copyOf(capabilities);
    }

    /**
     * Reads the keys of one entry; {@code path} (for example {@code models.gpt-4o-mini}) names them
     * in errors. Fails on an unknown key, a price that is not a non-negative decimal, a limit that
     * is not a positive integer, or an unknown capability. Completeness (input with output) is
     * checked by {@link #toModelInfo}, after overrides are merged.
     */
    public static CatalogEntry parse(String path, Map<String, Object> raw) {
        PluginConfig c = PluginConfig.of(path, raw);
        raw.forEach((k, v) -> {
            if (v == null) {
                throw new ConfigException(c.keyPath(k) + " has no value");
            }
        });
        BigDecimal input = price(c, raw, "input");
        BigDecimal output = price(c, raw, "output");
        BigDecimal cachedInput = price(c, raw, "cached_input");
        BigDecimal cacheWrite = price(c, raw, "cache_write");
        BigDecimal reasoning = price(c, raw, "reasoning");
        Long contextWindow = tokens(c, "context_window");
        Long maxOutput = tokens(c, "max_output_tokens");
        Set<Capability> capabilities = null;
        if (c.has("capabilities")) {
            capabilities = EnumSet.noneOf(Capability.class);
            for (String name : c.stringList("capabilities")) {
                capabilities.add(capability(c.keyPath("capabilities"), name));
            }
        }
        c.requireAllRead();
        return new CatalogEntry(input, output, cachedInput, cacheWrite, reasoning, contextWindow, maxOutput, capabilities);
    }

    /** This entry's keys where given, {@code base}'s elsewhere. */
    public CatalogEntry over(CatalogEntry base) {
        return new CatalogEntry(
                input != null ? input : base.input,
                output != null ? output : base.output,
                cachedInput != null ? cachedInput : base.cachedInput,
                cacheWrite != null ? cacheWrite : base.cacheWrite,
                reasoning != null ? reasoning : base.reasoning,
                contextWindow != null ? contextWindow : base.contextWindow,
                maxOutputTokens != null ? maxOutputTokens : base.maxOutputTokens,
                capabilities != null ? capabilities : base.capabilities);
    }

    public boolean isEmpty() {
        return equals(EMPTY);
    }

    /**
     * The model's info; fails when prices are incomplete: input without output or the reverse, or
     * a cached, cache-write or reasoning price without both. An entry without any price is an
     * unpriced model.
     */
    public ModelInfo toModelInfo(String model, String path) {
        if ((input == null) != (output == null)) {
            throw new ConfigException(path + " has " + (input == null ? "output but no input" : "input but no output")
                    + " price: give both, or neither for an unpriced model");
        }
        Prices prices = null;
        if (input != null) {
            prices = Prices.builder(input, output).cachedInputPerMillion(cachedInput).cacheWritePerMillion(cacheWrite)
                    .reasoningPerMillion(reasoning).build();
        } else if (cachedInput != null || cacheWrite != null || reasoning != null) {
            throw new ConfigException(path + " has " + (cachedInput != null ? "cached_input" : cacheWrite != null ? "cache_write"
                    : "reasoning") + " but no input and output prices");
        }
        ModelInfo.Builder b = ModelInfo.builder(model).prices(prices)
                .contextWindow(contextWindow == null ? 0 : contextWindow)
                .maxOutputTokens(maxOutputTokens == null ? 0 : maxOutputTokens);
        if (capabilities != null) {
            b.capabilities(capabilities);
        }
        return b.build();
    }

    private static BigDecimal price(PluginConfig c, Map<String, Object> raw, String key) {
        if (!c.has(key)) {
            return null;
        }
        Object v = raw.get(key);
        BigDecimal d = switch (v) {
            case BigDecimal b -> b;
            case Integer i -> BigDecimal.valueOf(i);
            case Long l -> BigDecimal.valueOf(l);
            case BigInteger b -> new BigDecimal(b);
            case String s -> decimal(s.trim());
            default -> null;
        };
        if (d == null) {
            throw new ConfigException(c.keyPath(key) + " must be a price in US dollars per million tokens, such as 0.15, not '" + v + "'");
        }
        if (d.signum() < 0) {
            throw new ConfigException(c.keyPath(key) + " must not be negative, not " + d.toPlainString());
        }
        return d;
    }

    private static BigDecimal decimal(String s) {
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long tokens(PluginConfig c, String key) {
        if (!c.has(key)) {
            return null;
        }
        long v = c.longValue(key, 0);
        if (v < 1) {
            throw new ConfigException(c.keyPath(key) + " must be a positive number of tokens, not " + v);
        }
        return v;
    }

    private static Capability capability(String path, String name) {
        for (Capability c : Capability.values()) {
            if (c.name().toLowerCase(Locale.ROOT).equals(name)) {
                return c;
            }
        }
        throw new ConfigException(path + ": unknown capability '" + name + "'; allowed: " + CAPABILITY_NAMES);
    }
}

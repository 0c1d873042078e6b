package dev.tollgate.kernel.plugin;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.ComponentFactory;
import dev.tollgate.spi.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The factories of one kind, by name; a name may be contributed once. */
public final class Registry<F extends ComponentFactory<?>> {

    private final String kind;
    private final Map<String, Registered<F>> byName = new LinkedHashMap<>();

    public Registry(String kind) {
        this.kind = requireNonNull(kind, "kind is null");
    }

    public void register(String pluginId, ClassLoader loader, F factory) {
        String name = requireNonNull(factory.name(), kind + " factory name is null");
        Registered<F> existing = byName.get(name);
        if (existing != null) {
            throw new ConfigException("duplicate " + kind + " factory '" + name + "': contributed by plugin "
                    + existing.pluginId() + " and by plugin " + pluginId + "; remove one of them from plugins");
        }
        byName.put(name, new Registered<>(pluginId, loader, factory));
    }

    /** The factory named {@code name}; {@code key} is where the configuration named it. */
    public Registered<F> get(String name, String key) {
        Registered<F> r = byName.get(name);
        if (r == null) {
            throw new ConfigException(key + ": unknown " + kind + " '" + name + "'; available: " + describe()
                    + " (a factory comes from a plugin listed under plugins)");
        }
        return r;
    }

    public String describe() {
        if (byName.isEmpty()) {
            return "none";
        }
        return byName.entrySet().stream()
                .map(e -> e.getKey() + " (plugin " + e.getValue().pluginId() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    public Map<String, Registered<F>> all() {
        return Map.copyOf(byName);
    }

    /** A factory with the plugin that contributed it. */
    public record Registered<F>(String pluginId, ClassLoader loader, F factory) {}
}

package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** A component named by its factory, with its configuration (references resolved). */
public record ComponentSettings(String name, Map<String, Object> config, String configPath) {

    public ComponentSettings {
        requireNonNull(name, "name is null");
        config = Map.copyOf(requireNonNull(config, "config is null"));
        requireNonNull(configPath, "configPath is null");
    }
}

package dev.tollgate.spi;

import dev.tollgate.spi.config.PluginConfig;
import java.util.Set;

/**
 * A named factory for one kind of component.
 *
 * <p>{@link #create} binds the opaque configuration to the component's own immutable settings and
 * must fail with {@link dev.tollgate.spi.config.ConfigException} on a missing or unknown key: call
 * {@link PluginConfig#requireAllRead()} once every key has been read. It runs once at start, on a
 * thread that may block.
 *
 * @param <T> the component type
 */
public interface ComponentFactory<T> {

    /** The name configuration refers to; unique per kind across all installed plugins. */
    String name();

    /**
     * Keys of this factory's configuration that hold secrets. The kernel refuses a literal value
     * for them (only {@code ${env:NAME}} or {@code ${file:path}} references are accepted) and never
     * writes their resolved values to a log or an error message.
     */
    default Set<String> secretKeys() {
        return Set.of();
    }

    /** Creates a component from its configuration. */
    T create(PluginConfig config, PluginContext context);
}

package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugins named in the configuration from the plugins folder, starts them, and fills the
 * registries with their factories. Strict: a named plugin that is missing or fails to load, and a
 * plugin that contributes a duplicate factory name, fail the start.
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final TollgatePluginManager manager;
    private final List<LoadedPlugin> loaded = new ArrayList<>();

    private PluginHost(TollgatePluginManager manager) {
        this.manager = manager;
    }

    /** A plugin that was started, with its loader. */
    public record LoadedPlugin(String id, String version, ClassLoader loader) {}

    /** Loads and starts {@code pluginIds} from {@code pluginsDir}, registering their factories into {@code registries}. */
    public static PluginHost start(Path pluginsDir, List<String> pluginIds, String spiVersion, Registries registries) {
        if (pluginIds.isEmpty()) {
            return new PluginHost(null);
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new ConfigException("plugins folder " + pluginsDir + " does not exist, but plugins " + pluginIds
                    + " are configured; set plugins_dir or install the plugins there");
        }
        TollgatePluginManager manager = new TollgatePluginManager(pluginsDir, new LinkedHashSet<>(pluginIds), spiVersion);
        PluginHost host = new PluginHost(manager);
        try {
            manager.loadPlugins();
            TreeSet<String> installed = new TreeSet<>();
            manager.getPlugins().forEach(p -> installed.add(p.getPluginId()));
            for (String id : pluginIds) {
                if (manager.getPlugin(id) == null) {
                    throw new ConfigException("plugins: '" + id + "' is not installed in " + pluginsDir
                            + "; installed: " + (installed.isEmpty() ? "none" : installed));
                }
            }
            manager.startPlugins();
            for (String id : pluginIds) {
                PluginWrapper w = manager.getPlugin(id);
                if (w.getPluginState() != PluginState.STARTED) {
                    Throwable cause = w.getFailedException();
                    throw new ConfigException("plugin " + id + " could not be started (state " + w.getPluginState() + ")"
                            + (cause == null ? "" : ": " + cause.getMessage()), cause);
                }
                host.discover(w, registries);
            }
            return host;
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    private void discover(PluginWrapper wrapper, Registries registries) {
        String id = wrapper.getPluginId();
        ClassLoader loader = wrapper.getPluginClassLoader();
        List<TollgatePlugin> plugins = ContextClassLoader.call(loader, () -> {
            List<TollgatePlugin> out = new ArrayList<>();
            for (ServiceLoader.Provider<TollgatePlugin> p : ServiceLoader.load(TollgatePlugin.class, loader).stream().toList()) {
                if (p.type().getClassLoader() == loader) {
                    out.add(p.get());
                }
            }
            return out;
        });
        if (plugins.isEmpty()) {
            throw new ConfigException("plugin " + id + " contains no " + TollgatePlugin.class.getName()
                    + " (list the implementation in META-INF/services/" + TollgatePlugin.class.getName() + ")");
        }
        String version = wrapper.getDescriptor().getVersion();
        List<String> summaries = new ArrayList<>();
        for (TollgatePlugin plugin : plugins) {
            summaries.add(registries.registerAll(id, loader, plugin));
        }
        loaded.add(new LoadedPlugin(id, version, loader));
        log.info("plugin {} {} started: {}", id, version, String.join("; ", summaries));
    }

    public List<LoadedPlugin> loaded() {
        return List.copyOf(loaded);
    }

    @Override
    public void close() {
        if (manager != null) {
            try {
                // unloadPlugins() stops each plugin first; stopPlugins() modifies the list it iterates in PF4J 3.15
                manager.unloadPlugins();
            } catch (RuntimeException e) {
                log.warn("stopping plugins failed", e);
            }
        }
    }
}

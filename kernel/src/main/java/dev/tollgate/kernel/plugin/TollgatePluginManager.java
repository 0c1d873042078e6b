package dev.tollgate.kernel.plugin;

import java.nio.file.Path;
import java.util.Set;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginStatusProvider;
import org.pf4j.RuntimeMode;

/**
 * PF4J configured for Tollgate: deployment mode, isolating class loaders for both plugin forms
 * (a pre-expanded directory with {@code plugin.properties} and {@code lib/*.jar}, or one
 * self-contained jar whose manifest names the plugin), and every plugin not named in the
 * configuration disabled so it is never started.
 */
final class TollgatePluginManager extends DefaultPluginManager {

    private final Set<String> enabled;

    TollgatePluginManager(Path pluginsRoot, Set<String> enabled, String spiVersion) {
        super(pluginsRoot);
        this.enabled = Set.copyOf(enabled);
        setSystemVersion(spiVersion);
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return RuntimeMode.DEPLOYMENT;
    }

    @Override
    protected PluginStatusProvider createPluginStatusProvider() {
        return new PluginStatusProvider() {
            @Override
            public boolean isPluginDisabled(String pluginId) {
                return enabled == null || !enabled.contains(pluginId);
            }

            @Override
            public void disablePlugin(String pluginId) {
                throw new UnsupportedOperationException("plugins are enabled by naming them in the configuration");
            }

            @Override
            public void enablePlugin(String pluginId) {
                throw new UnsupportedOperationException("plugins are enabled by naming them in the configuration");
            }
        };
    }

    @Override
    protected PluginLoader createPluginLoader() {
        ClassLoader kernel = TollgatePluginManager.class.getClassLoader();
        return new CompoundPluginLoader()
                .add(new JarPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                        return new IsolatingPluginClassLoader(pluginManager, descriptor, kernel);
                    }
                })
                .add(new DefaultPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                        return new IsolatingPluginClassLoader(pluginManager, descriptor, kernel);
                    }
                });
    }
}

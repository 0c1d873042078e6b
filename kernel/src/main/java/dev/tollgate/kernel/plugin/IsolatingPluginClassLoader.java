package dev.tollgate.kernel.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader: the SPI, slf4j and PF4J come from the kernel; the JDK from the platform
 * loader; everything else only from the plugin's own jars. A plugin therefore sees its own Jackson,
 * never the kernel's, and cannot reach kernel internals.
 */
final class IsolatingPluginClassLoader extends PluginClassLoader {

    static final List<String> SHARED_PREFIXES = List.of("dev.tollgate.spi.", "org.slf4j.", "org.pf4j.");
    private static final String SHARED_RESOURCE_PREFIX = "dev/tollgate/spi/";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader kernel;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    IsolatingPluginClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader kernel) {
        super(manager, descriptor, kernel, ClassLoadingStrategy.PDA);
        this.kernel = kernel;
    }

    static boolean isShared(String className) {
        for (String prefix : SHARED_PREFIXES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Class<?> loadClass(String name) throws ClassNotFoundException {
        return loadClass(name, false);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return kernel.loadClass(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = platform.loadClass(name);
                } catch (ClassNotFoundException notJdk) {
                    c = findClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(SHARED_RESOURCE_PREFIX)) {
            return kernel.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : platform.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith(SHARED_RESOURCE_PREFIX)) {
            return kernel.getResources(name);
        }
        List<URL> out = Collections.list(findResources(name));
        out.addAll(Collections.list(platform.getResources(name)));
        return Collections.enumeration(out);
    }
}

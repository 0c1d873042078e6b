package dev.tollgate.kernel.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ComponentFactory;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.catalog.ModelCatalog;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RoutingStrategy;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.time.Ticker;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every SPI interface is classified: the ones plugins implement and the kernel calls on the request
 * path have a class-loader-safe wrapper overriding every method (defaults included); the ones
 * called only at start run under the plugin's loader in {@code Gateway.create}; the ones the
 * kernel implements are called by plugins. A new SPI interface fails this test until classified.
 */
class ClassLoaderSafeWrappersTest {

    static final Map<Class<?>, Class<?>> WRAPPED = Map.of(
            ProviderAdapter.class, ClassLoaderSafeProviderAdapter.class,
            SupportsEmbeddings.class, ClassLoaderSafeEmbeddings.class,
            RequestPolicy.class, ClassLoaderSafeRequestPolicy.class,
            RoutingStrategy.class, ClassLoaderSafeRoutingStrategy.class,
            CacheBackend.class, ClassLoaderSafeCacheBackend.class,
            LogSink.class, ClassLoaderSafeLogSink.class,
            dev.tollgate.spi.sink.SpendReports.class, ClassLoaderSafeSpendReports.class,
            StateBackend.class, ClassLoaderSafeStateBackend.class,
            dev.tollgate.spi.store.GovernanceStore.class, ClassLoaderSafeGovernanceStore.class,
            dev.tollgate.spi.store.ResponseStore.class, ClassLoaderSafeResponseStore.class);

    /** Plugin code the kernel calls back on the request path from inside the attempt, which sets the loader itself. */
    static final Set<Class<?>> CALLBACKS_UNDER_THE_ATTEMPT = Set.of(ResponseHandler.class);

    /** Implemented by the kernel (and the testkit's fakes); plugins call them. Nested interfaces count with their owner. */
    static final Set<Class<?>> KERNEL_IMPLEMENTED = Set.of(PluginContext.class, ProviderCall.class, UpstreamHttp.class,
            ResponseSink.class, StreamSink.class, Metrics.class, ModelCatalog.class, Ticker.class, Candidate.class);

    @Test
    void everySpiInterfaceIsClassified() throws Exception {
        List<String> unclassified = new ArrayList<>();
        for (Class<?> c : spiInterfaces()) {
            boolean startOnly = c == TollgatePlugin.class || ComponentFactory.class.isAssignableFrom(c);
            Class<?> owner = c.getEnclosingClass() == null ? c : c.getEnclosingClass();
            int homes = (WRAPPED.containsKey(c) ? 1 : 0) + (startOnly ? 1 : 0) + (CALLBACKS_UNDER_THE_ATTEMPT.contains(c) ? 1 : 0)
                    + (KERNEL_IMPLEMENTED.contains(owner) ? 1 : 0);
            if (homes != 1) {
                unclassified.add(c.getName() + " (" + homes + " classes)");
            }
        }
        assertThat(unclassified).as("classify each SPI interface in this test").isEmpty();
    }

    @Test
    void everyMethodOfAWrappedInterfaceIsOverriddenByItsWrapper() {
        List<String> missing = new ArrayList<>();
        WRAPPED.forEach((spi, wrapper) -> {
            assertThat(spi).isAssignableFrom(wrapper);
            for (Method m : spi.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                try {
                    wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(wrapper.getSimpleName() + "." + m.getName());
                }
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void aWrappedCallRunsWithThePluginLoaderAndRestoresTheCallers() throws Exception {
        ClassLoader plugin = new java.net.URLClassLoader(new java.net.URL[0], null);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        ClassLoader[] seen = new ClassLoader[1];
        RequestPolicy policy = request -> {
            seen[0] = Thread.currentThread().getContextClassLoader();
            return CompletableFuture.completedFuture(Admission.proceed());
        };
        new ClassLoaderSafeRequestPolicy(policy, plugin).admit(null);
        assertThat(seen[0]).isSameAs(plugin);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void isolatingLoaderSharesOnlyTheSpiLoggingAndPf4jPackages() {
        assertThat(IsolatingPluginClassLoader.isShared("dev.tollgate.spi.provider.ProviderAdapter")).isTrue();
        assertThat(IsolatingPluginClassLoader.isShared("org.slf4j.Logger")).isTrue();
        assertThat(IsolatingPluginClassLoader.isShared("dev.tollgate.kernel.Gateway")).isFalse();
        assertThat(IsolatingPluginClassLoader.isShared("dev.tollgate.formats.openai.OpenAiChatRequests")).isFalse();
        assertThat(IsolatingPluginClassLoader.isShared("com.fasterxml.jackson.databind.ObjectMapper")).isFalse();
        assertThat(IsolatingPluginClassLoader.isShared("io.undertow.Undertow")).isFalse();
    }

    /** Every public interface in the SPI's jar (or classes folder). */
    static Set<Class<?>> spiInterfaces() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(TollgatePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".class")).forEach(p ->
                        names.add(root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "")));
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (n.endsWith(".class")) {
                        names.add(n.replace('/', '.').replaceAll("\\.class$", ""));
                    }
                }
            }
        }
        Set<Class<?>> out = new java.util.LinkedHashSet<>();
        for (String n : names) {
            if (!n.startsWith("dev.tollgate.spi.") || n.endsWith("package-info")) {
                continue;
            }
            Class<?> c = Class.forName(n, false, TollgatePlugin.class.getClassLoader());
            if (c.isInterface() && !c.isAnnotation() && Modifier.isPublic(c.getModifiers()) && !c.isSealed()) {
                out.add(c);
            }
        }
        assertThat(out).as("the scan found the SPI").contains(ProviderAdapter.class, RequestPolicy.class);
        return out;
    }
}

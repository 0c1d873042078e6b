package dev.tollgate.kernel.plugin;

import java.util.function.Supplier;

/** Runs plugin code with the thread context class loader set to the plugin's loader. */
public final class ContextClassLoader {

    private ContextClassLoader() {}

    public static void run(ClassLoader loader, Runnable task) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        if (previous == loader) {
            task.run();
            return;
        }
        t.setContextClassLoader(loader);
        try {
            task.run();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    public static <T> T call(ClassLoader loader, Supplier<T> task) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        if (previous == loader) {
            return task.get();
        }
        t.setContextClassLoader(loader);
        try {
            return task.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}

package dev.tollgate.spi.metrics;

import java.util.function.LongSupplier;

/** A small metrics facade; the kernel exposes what is registered here. */
public interface Metrics {

    /** A monotonically increasing counter; the same name returns the same counter. */
    Counter counter(String name, String help);

    /** A gauge read from {@code value} whenever metrics are collected. */
    void gauge(String name, String help, LongSupplier value);

    /** A counter. */
    interface Counter {
        void increment();

        void add(long delta);

        long value();
    }
}

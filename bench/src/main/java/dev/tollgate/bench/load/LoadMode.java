package dev.tollgate.bench.load;

/** The load generator's modes. */
public enum LoadMode {
    /** Constant rate; latency from each request's intended send time (coordinated-omission correct). */
    OPEN_LOOP,
    /** C connections each sending back to back: maximum throughput. */
    CLOSED_LOOP,
    /** Open N streams (ramped) and keep them until they end. */
    HOLD
}

package dev.tollgate.bench.jmh;

import org.openjdk.jmh.infra.Blackhole;

/** The benchmark tests' blackhole: JMH's own, made outside a run (which it allows only with this phrase). */
public final class Blackholes {

    private Blackholes() {}

    public static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
}

package dev.tollgate.plugin.routing;

import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.Health;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.OptionalLong;

/** A candidate whose statistics a test sets. */
final class TestCandidate implements Candidate {
    final String id;
    int weight = 1;
    int inFlight;
    long latencyMicros = -1;
    long ttftMicros = -1;
    Health health = Health.HEALTHY;
    int tier;
    ModelInfo info;

    TestCandidate(String id) {
        this.id = id;
    }

    TestCandidate priced(String input, String output) {
        info = ModelInfo.builder(id).prices(Prices.builder(new BigDecimal(input), new BigDecimal(output)).build()).build();
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String provider() {
        return "test";
    }

    @Override
    public String upstreamModel() {
        return id;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public OptionalLong latencyEwmaMicros() {
        return latencyMicros < 0 ? OptionalLong.empty() : OptionalLong.of(latencyMicros);
    }

    @Override
    public OptionalLong timeToFirstTokenEwmaMicros() {
        return ttftMicros < 0 ? OptionalLong.empty() : OptionalLong.of(ttftMicros);
    }

    @Override
    public Health health() {
        return health;
    }

    @Override
    public int tier() {
        return tier;
    }

    @Override
    public Optional<ModelInfo> modelInfo() {
        return Optional.ofNullable(info);
    }
}

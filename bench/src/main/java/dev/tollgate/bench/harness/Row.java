package dev.tollgate.bench.harness;

import dev.tollgate.bench.load.LoadResult;
import dev.tollgate.bench.proc.ResourceSampler;

/** One scenario run against one target. */
public record Row(Scenario scenario, String target, LoadResult result, ResourceSampler.Figures figures) {}

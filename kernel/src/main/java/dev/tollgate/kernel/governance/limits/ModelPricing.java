package dev.tollgate.kernel.governance.limits;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.catalog.ModelCatalog;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What admission prices a request with: for a client-facing model name, the worst case over the
 * deployments that may serve it (highest prices, largest output limit). Empty when nothing is
 * known; an entry without {@link ModelInfo#prices()} is an unpriced model.
 */
@FunctionalInterface
public interface ModelPricing {

    Optional<ModelInfo> worstCase(String model);

    /** Looks the model up by name in {@code catalog}, for models served under their provider name. */
    static ModelPricing of(ModelCatalog catalog) {
        requireNonNull(catalog, "catalog is null");
        return catalog::find;
    }

    /**
     * The worst case per client-facing model over the infos of its deployments: each price at its
     * highest, the largest output limit and context window. A model with one unpriced deployment
     * is unpriced (its worst case is unknown).
     */
    public static ModelPricing worstOf(Map<String, List<ModelInfo>> infosByModel) {
        Map<String, ModelInfo> merged = new HashMap<>();
        infosByModel.forEach((model, infos) -> {
            if (!infos.isEmpty()) {
                merged.put(model, merge(model, infos));
            }
        });
        return model -> Optional.ofNullable(merged.get(model));
    }

    private static ModelInfo merge(String model, List<ModelInfo> infos) {
        long maxOutput = 0;
        long context = 0;
        Prices prices = null;
        boolean unpriced = false;
        for (ModelInfo i : infos) {
            maxOutput = Math.max(maxOutput, i.maxOutputTokens().orElse(0));
            context = Math.max(context, i.contextWindow().orElse(0));
            if (i.prices().isEmpty()) {
                unpriced = true;
            } else {
                prices = prices == null ? i.prices().get() : higher(prices, i.prices().get());
            }
        }
        return ModelInfo.builder(model).prices(unpriced ? null : prices).maxOutputTokens(maxOutput).contextWindow(context).build();
    }

    private static Prices higher(Prices a, Prices b) {
        return Prices.builder(a.inputPerMillion().max(b.inputPerMillion()), a.outputPerMillion().max(b.outputPerMillion()))
                .cachedInputPerMillion(max(a.cachedInputPerMillion().orElse(a.inputPerMillion()), b.cachedInputPerMillion().orElse(b.inputPerMillion())))
                .cacheWritePerMillion(max(a.cacheWritePerMillion().orElse(a.inputPerMillion()), b.cacheWritePerMillion().orElse(b.inputPerMillion())))
                .reasoningPerMillion(max(a.reasoningPerMillion().orElse(a.outputPerMillion()), b.reasoningPerMillion().orElse(b.outputPerMillion())))
                .build();
    }

    private static BigDecimal max(BigDecimal a, BigDecimal b) {
        return a.max(b);
    }
}

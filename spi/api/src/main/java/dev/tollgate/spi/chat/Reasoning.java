package dev.tollgate.spi.chat;

/**
 * How much the model should reason before answering. Providers express it differently: OpenAI as
 * an effort, Anthropic as a token budget; translators convert what they can and document the rest.
 *
 * @param effort       {@code minimal}, {@code low}, {@code medium} or {@code high}, or {@code null}
 * @param budgetTokens a thinking budget in tokens, or {@code null}
 */
public record Reasoning(String effort, Integer budgetTokens) {

    public Reasoning {
        if (effort == null && budgetTokens == null) {
            throw new IllegalArgumentException("reasoning needs an effort or a budget");
        }
        if (budgetTokens != null && budgetTokens < 0) {
            throw new IllegalArgumentException("budgetTokens must not be negative");
        }
    }
}

package dev.tollgate.plugin.openai;

import dev.tollgate.spi.config.ConfigException;
import java.util.Locale;

/**
 * The defaults of a known OpenAI-compatible server, chosen with {@code preset:}. A preset only
 * supplies defaults (base URL, authentication, output-limit field, whether a key is needed); every
 * key set in the deployment's config still wins, and the requests and answers go through the same
 * code as OpenAI's own. Azure is the one preset with keys of its own ({@code endpoint},
 * {@code deployment}, {@code api_version}), from which it builds the deployment URL.
 */
enum Preset {
    OPENAI("openai", "https://api.openai.com/v1", true, "max_completion_tokens"),
    AZURE("azure", null, true, "max_completion_tokens"),
    VLLM("vllm", "http://localhost:8000/v1", false, "max_tokens"),
    OLLAMA("ollama", "http://localhost:11434/v1", false, "max_tokens"),
    GROQ("groq", "https://api.groq.com/openai/v1", true, "max_tokens"),
    MISTRAL("mistral", "https://api.mistral.ai/v1", true, "max_tokens"),
    DEEPSEEK("deepseek", "https://api.deepseek.com", true, "max_tokens"),
    OPENROUTER("openrouter", "https://openrouter.ai/api/v1", true, "max_tokens"),
    TOGETHER("together", "https://api.together.xyz/v1", true, "max_tokens");

    /** The Azure OpenAI data-plane inference API version used when {@code api_version} is not set (the GA release). */
    static final String AZURE_DEFAULT_API_VERSION = "2024-10-21";

    private final String configName;
    private final String apiBase;
    private final boolean keyRequired;
    private final String maxTokensField;

    Preset(String configName, String apiBase, boolean keyRequired, String maxTokensField) {
        this.configName = configName;
        this.apiBase = apiBase;
        this.keyRequired = keyRequired;
        this.maxTokensField = maxTokensField;
    }

    static Preset parse(String qualifiedKey, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Preset p : values()) {
            if (p.configName.equals(v)) {
                return p;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Preset p : values()) {
            names.append(names.isEmpty() ? "" : ", ").append(p.configName);
        }
        throw new ConfigException(qualifiedKey + " must be one of " + names + ", not '" + value + "'");
    }

    /** The default base URL, or {@code null} for Azure, whose URL is built from its endpoint and deployment. */
    String apiBase() {
        return apiBase;
    }

    /** Whether the hosted service refuses calls without a key, so that a deployment without {@code api_key} is a config error. */
    boolean keyRequired() {
        return keyRequired;
    }

    /** What {@code max_tokens_field: auto} means for this server. */
    String maxTokensField() {
        return maxTokensField;
    }

    @Override
    public String toString() {
        return configName;
    }
}

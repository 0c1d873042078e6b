package dev.tollgate.spi.catalog;

/** What a model can do beyond plain text; routing and fallbacks skip models that lack what a request uses. */
public enum Capability {
    /** Function calling. */
    TOOLS,
    /** Image input. */
    VISION,
    /** Output constrained by a JSON schema. */
    JSON_SCHEMA,
    /** Reasoning (an effort or a thinking budget). */
    REASONING
}

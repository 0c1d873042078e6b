package dev.tollgate.spi.http;

/**
 * How an outbound request talks to a clear-text ({@code http}) upstream. Over TLS ({@code https})
 * both values behave the same: HTTP/2 or HTTP/1.1 is negotiated with ALPN.
 */
public enum HttpProtocol {

    /** HTTP/1.1 with keep-alive: one connection per request in flight. */
    HTTP_1_1,

    /**
     * HTTP/2 over clear text with prior knowledge (RFC 9113 section 3.3): the connection starts with
     * the HTTP/2 preface, no upgrade. Many requests share one connection as concurrent streams, up
     * to the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} and the kernel's own cap. Only for
     * upstreams known to speak it (vLLM, Ollama, an h2c-enabled proxy); a server that speaks only
     * HTTP/1.1 answers the preface with an error and the request fails with 502.
     */
    H2C_PRIOR_KNOWLEDGE
}

package dev.tollgate.kernel.upstream;

import java.net.URI;

/**
 * Scheme, host and port, and for clear text whether HTTP/2 is spoken with prior knowledge: the unit
 * of connection pooling. Its hash is computed once; it is looked up on every request.
 */
final class Origin {

    private final boolean https;
    private final boolean h2c;
    private final String host;
    private final int port;
    private final int hash;
    private final String hostHeader;
    private final URI connectUri;
    private final Origin h2cSibling;

    private Origin(boolean https, boolean h2c, String host, int port) {
        this.https = https;
        this.h2c = h2c;
        this.host = host;
        this.port = port;
        this.hash = ((host.hashCode() * 31 + port) * 2 + (https ? 1 : 0)) * 2 + (h2c ? 1 : 0);
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        this.hostHeader = (https && port == 443) || (!https && port == 80) ? h : h + ":" + port;
        // Undertow's client picks its provider by scheme: "h2c-prior" sends the HTTP/2 preface at once
        this.connectUri = URI.create((https ? "https" : h2c ? "h2c-prior" : "http") + "://" + h + ":" + port);
        this.h2cSibling = h2c ? this : https ? null : new Origin(false, true, host, port);
    }

    static Origin of(URI uri) {
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        return new Origin(https, false, uri.getHost(), port);
    }

    boolean https() {
        return https;
    }

    /** Whether connections to this origin start with the HTTP/2 preface. */
    boolean h2c() {
        return h2c;
    }

    /** The same clear-text host and port spoken to with HTTP/2 prior knowledge; itself for https. */
    Origin withPriorKnowledge() {
        return h2cSibling != null ? h2cSibling : this;
    }

    URI connectUri() {
        return connectUri;
    }

    String hostHeader() {
        return hostHeader;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other && other.hash == hash && other.port == port && other.https == https
                && other.h2c == h2c && other.host.equals(host);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}

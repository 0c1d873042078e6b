package dev.tollgate.kernel.upstream;

import java.net.URI;

/** Scheme, host and port: the unit of connection pooling. Its hash is computed once; it is looked up on every request. */
final class Origin {

    private final boolean https;
    private final String host;
    private final int port;
    private final int hash;
    private final String hostHeader;

    private Origin(boolean https, String host, int port) {
        this.https = https;
        this.host = host;
        this.port = port;
        this.hash = (host.hashCode() * 31 + port) * 2 + (https ? 1 : 0);
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        this.hostHeader = (https && port == 443) || (!https && port == 80) ? h : h + ":" + port;
    }

    static Origin of(URI uri) {
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        return new Origin(https, uri.getHost(), port);
    }

    boolean https() {
        return https;
    }

    URI connectUri() {
        return URI.create((https ? "https" : "http") + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
    }

    String hostHeader() {
        return hostHeader;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other && other.hash == hash && other.port == port && other.https == https && other.host.equals(host);
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

package dev.tollgate.kernel.upstream;

import java.net.URI;

/** Scheme, host and port: the unit of connection pooling. */
record Origin(boolean https, String host, int port) {

    static Origin of(URI uri) {
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        return new Origin(https, uri.getHost(), port);
    }

    URI connectUri() {
        return URI.create((https ? "https" : "http") + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
    }

    String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (https && port == 443) || (!https && port == 80) ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}

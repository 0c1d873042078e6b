package dev.tollgate.it;

import java.net.URI;

/** A gateway a test talks to over HTTP: in this JVM ({@link TestGateway}) or as its own process. */
public interface RunningGateway extends AutoCloseable {

    int port();

    default URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    void close();
}

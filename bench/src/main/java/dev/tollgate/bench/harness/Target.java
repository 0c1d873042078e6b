package dev.tollgate.bench.harness;

import java.util.List;

/**
 * Something the scenarios run against.
 *
 * @param chatPath  path of non-stream and S3 stream requests
 * @param holdPath  path of S4's long streams
 * @param holdModel model of S4's long streams (the gateway routes "bench-hold" to the stub's /hold/v1)
 * @param headers   extra request headers (API keys for S5)
 * @param unique    make every request body different (cache misses for S5)
 */
public record Target(String name, int port, String chatPath, String holdPath, String model, String holdModel,
                     List<String> headers, boolean unique, ManagedProcess process) {

    public static final String STUB = "stub";
    public static final String NGINX = "nginx";
    public static final String GATEWAY = "gateway";
    public static final String GATEWAY_S5 = "gateway-s5";

    /** A gateway JVM: it gets the long warm-up that lets C1/C2 compile its hot paths. */
    boolean jvm() {
        return name.startsWith(GATEWAY);
    }

    List<Long> pids() {
        return process == null ? List.of() : process.pids();
    }
}

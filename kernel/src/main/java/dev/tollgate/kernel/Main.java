package dev.tollgate.kernel;

import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
import dev.tollgate.kernel.logging.LogOutputCheck;
import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.kernel.server.ListenException;
import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code tollgate [--config PATH] [--port N]}: starts the gateway and drains it on SIGTERM or
 * SIGINT, then exits 0. A configuration error (or a wrong argument) exits 2 with one message naming
 * the key; any other failure to start (the port is taken, say) exits 1.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(System.getProperty("tollgate.home", ".")).toAbsolutePath().normalize();
        Path configFile = home.resolve("conf/tollgate.yaml");
        Integer port = null;
        for (String appender : LogOutputCheck.unscrubbedAppenders()) {
            log.warn("log appender {} does not write through dev.tollgate.kernel.logging.SecretScrubbingEncoder: "
                    + "configured secrets are not masked in its output", appender);
        }
        try {
            String envPort = System.getenv("TOLLGATE_PORT");
            if (envPort != null && !envPort.isBlank()) {
                port = parsePort(envPort.trim(), "TOLLGATE_PORT");
            }
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config" -> configFile = Path.of(value(args, ++i, "--config")).toAbsolutePath().normalize();
                    case "--port" -> port = parsePort(value(args, ++i, "--port"), "--port");
                    case "--version" -> {
                        System.out.println("tollgate " + Gateway.VERSION + " (spi " + Gateway.SPI_VERSION + ")");
                        return;
                    }
                    case "--help", "-h" -> {
                        System.out.println("usage: tollgate [--config PATH] [--port N]\n"
                                + "  --config PATH  configuration file (default: <home>/conf/tollgate.yaml)\n"
                                + "  --port N       listen port, overrides the file and TOLLGATE_PORT");
                        return;
                    }
                    default -> throw new ConfigException("unknown argument '" + args[i] + "'; try --help");
                }
            }
        } catch (ConfigException e) {
            throw exit(2, "configuration error: " + e.getMessage());
        }
        start(home, configFile, port);
    }

    /**
     * Loads the configuration and starts the gateway, then serves until a signal. Exits 2 on a
     * configuration error and 1 on any other failure to start.
     */
    private static void start(Path home, Path configFile, Integer port) throws InterruptedException {
        Gateway gateway;
        Duration grace;
        try {
            ConfigLoader loader = new ConfigLoader(References.fromSystem(configFile.getParent()), home);
            GatewayConfig config = loader.load(configFile);
            if (port != null) {
                config = config.withPort(port);
            }
            grace = config.server().shutdownGrace();
            gateway = Gateway.start(config, loader);
        } catch (ConfigException e) {
            String message = e.getMessage();
            String where = message.contains(configFile.toString()) ? "" : " in " + configFile;
            throw exit(2, "configuration error" + where + ": " + message);
        } catch (ListenException e) {
            throw exit(1, "cannot start: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("start failed", e);
            throw exit(1, "cannot start: " + e);
        }
        run(gateway, grace);
    }

    /**
     * Prints {@code tollgate: message} to stderr, secrets masked, and exits with {@code status};
     * returns an error only so that callers can {@code throw} it and the compiler sees the end.
     */
    private static Error exit(int status, String message) {
        System.err.println("tollgate: " + Secrets.scrub(message));
        System.exit(status);
        return new AssertionError("System.exit returned");
    }

    private static void run(Gateway gateway, Duration grace) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler onSignal = signal -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            Thread.ofPlatform().name("tollgate-shutdown").start(() -> {
                log.info("SIG{} received: draining {} request(s) in flight, up to {} s", signal.getName(), gateway.inFlight(),
                        grace.toSeconds());
                try {
                    boolean drained = gateway.drain(grace);
                    if (!drained) {
                        log.warn("grace period over with {} request(s) still in flight; closing them", gateway.inFlight());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gateway.close();
                log.info("stopped");
                stopped.countDown();
            });
        };
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
        stopped.await();
        System.exit(0);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new ConfigException(flag + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String s, String what) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigException(what + " must be a port number between 0 and 65535, not '" + s + "'");
        }
    }
}

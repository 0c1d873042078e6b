package dev.tollgate.kernel;

import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
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
 * SIGINT, then exits 0. A configuration error exits 2 with one message naming the key.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(System.getProperty("tollgate.home", ".")).toAbsolutePath().normalize();
        Path configFile = home.resolve("conf/tollgate.yaml");
        Integer port = null;
        try {
            String envPort = System.getenv("TOLLGATE_PORT");
            if (envPort != null && !envPort.isBlank()) {
                port = parsePort(envPort.trim(), "TOLLGATE_PORT");
            }
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config" -> configFile = Path.of(value(args, ++i, "--config")).toAbsolutePath();
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
            ConfigLoader loader = new ConfigLoader(References.fromSystem(configFile.getParent()), home);
            GatewayConfig config = loader.load(configFile);
            if (port != null) {
                config = config.withPort(port);
            }
            run(config, loader);
        } catch (ConfigException e) {
            System.err.println("tollgate: configuration error: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(GatewayConfig config, ConfigLoader loader) throws InterruptedException {
        Gateway gateway = Gateway.start(config, loader);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Duration grace = config.server().shutdownGrace();
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

package dev.tollgate.kernel.server;

import dev.tollgate.spi.metrics.Metrics;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One spare file descriptor, held so that accepting never stays stuck when the process runs out.
 *
 * <p>XNIO's accepting channel backs off after a failed {@code accept()} (EMFILE when the process
 * has no descriptor left): 250 ms, then 1 s, 4 s, 16 s and 30 s while the failures follow each
 * other, and only a successful accept resets it. So new clients could wait up to half a minute
 * after descriptors were free again. A watcher probes every {@value #PROBE_MILLIS} ms whether a
 * descriptor can still be opened; when none can, it gives up the spare, so XNIO's next retry (250
 * ms later) accepts one connection, which resets the back-off. The accept listener then asks for
 * the spare back: when the process is still out of descriptors that fails and the connection is
 * closed at once (its descriptor frees the spare again); once descriptors are free it succeeds
 * and accepting goes on normally. Another thread of the process can win the freed descriptor
 * first; the back-off then grows one step before the next probe frees it again.
 */
final class DescriptorReserve implements AutoCloseable {

    static final long PROBE_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(DescriptorReserve.class);
    private static final Path SPARE = Path.of("/dev/null");

    private final boolean enabled;
    private final Metrics.Counter exhausted;
    private final Thread watcher;
    private FileChannel spare;
    private volatile boolean released;
    private volatile boolean closed;
    private boolean episode;

    private DescriptorReserve(boolean enabled, Metrics.Counter exhausted) {
        this.enabled = enabled;
        this.released = enabled;
        this.exhausted = exhausted;
        this.watcher = enabled ? Thread.ofPlatform().daemon().name("tollgate-descriptor-reserve").unstarted(this::watch) : null;
    }

    static DescriptorReserve start(Metrics.Counter exhausted) {
        DescriptorReserve r = new DescriptorReserve(Files.isReadable(SPARE), exhausted);
        if (r.enabled) {
            r.restore();
            r.watcher.start();
        }
        return r;
    }

    /** Holds the spare again if it was given up; false while the process is still out of descriptors. */
    boolean restore() {
        if (!released) {
            return true;
        }
        synchronized (this) {
            if (!released) {
                return true;
            }
            try {
                spare = FileChannel.open(SPARE);
                released = false;
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(PROBE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            probe();
        }
    }

    private synchronized void probe() {
        if (closed || (released && !restore())) {
            return;
        }
        try (FileChannel probe = FileChannel.open(SPARE)) {
            if (episode) {
                episode = false;
                log.info("file descriptors are available again; accepting as usual");
            }
        } catch (IOException outOfDescriptors) {
            closeSpare();
            released = true;
            exhausted.increment();
            if (!episode) {
                episode = true;
                log.warn("the process is out of file descriptors; new connections are closed at once until some are free");
            }
        }
    }

    private void closeSpare() {
        if (spare != null) {
            try {
                spare.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            spare = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        closeSpare();
    }
}

package dev.tollgate.kernel.client;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Notices a client that hangs up while its request is being served, before anything was written
 * to it (a user pressing stop on a slow model). Undertow does not read a connection while an
 * exchange runs, so once the request body is complete this reads the raw connection: end of stream
 * or an error means the client left; bytes mean a pipelined next request, which are handed back to
 * Undertow and watching stops. Undertow restores its own conduits and read listener when the
 * exchange completes. HTTP/1.1 only; must run on the exchange's I/O thread.
 */
public final class HangUpWatch {

    private HangUpWatch() {}

    public static void watch(HttpServerExchange exchange, Runnable onHangUp) {
        if (!(exchange.getConnection() instanceof HttpServerConnection c) || c.getExtraBytes() != null
                || !exchange.isRequestComplete()) {
            return;
        }
        ConduitStreamSourceChannel source = c.getChannel().getSourceChannel();
        source.setConduit(c.getOriginalSourceConduit());
        source.setReadListener(ch -> {
            if (exchange.isComplete()) {
                ch.suspendReads();
                return;
            }
            PooledByteBuffer pooled = c.getByteBufferPool().allocate();
            boolean handedBack = false;
            try {
                int n = ch.read(pooled.getBuffer());
                if (n < 0) {
                    ch.suspendReads();
                    onHangUp.run();
                } else if (n > 0) {
                    pooled.getBuffer().flip();
                    c.ungetRequestBytes(pooled);
                    handedBack = true;
                    ch.suspendReads();
                }
            } catch (IOException e) {
                ch.suspendReads();
                onHangUp.run();
            } finally {
                if (!handedBack) {
                    pooled.close();
                }
            }
        });
        source.resumeReads();
    }
}

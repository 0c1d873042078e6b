package dev.tollgate.spi.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Exchange;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Exchange#bytes}: a raw body with its content type, served whole or in pieces, the supplier called at load. */
class ExchangeBytesTest {

    private static final byte[] BODY = {0, 0, 0, 42, 1, 2, 3, 4, 5, 6, 7, (byte) 0xff};

    @Test
    void servesTheBytesWithTheirContentTypeWholeAndInPieces() throws Exception {
        Exchange e = Exchange.bytes(200, "application/vnd.amazon.eventstream", BODY).withHeader("x-amzn-RequestId", "r1")
                .load(ExchangeBytesTest.class, "/unused/");
        assertThat(e.inPieces()).isTrue();
        assertThat(e.eventStream()).isFalse();

        List<byte[]> pieces = new ArrayList<>();
        String[] contentType = new String[1];
        ScriptedUpstreamHttp.always(e.reply(5)).stream(UpstreamRequest.postJson(URI.create("http://x.test/"),
                Headers.EMPTY, Bytes.utf8("{}")), new ResponseHandler() {
                    @Override
                    public void onHeaders(int status, Headers headers) {
                        contentType[0] = headers.first("content-type").orElse(null) + " " + status + " "
                                + headers.first("x-amzn-RequestId").orElse("");
                    }
                    @Override
                    public void onBody(ByteBuffer chunk) {
                        byte[] b = new byte[chunk.remaining()];
                        chunk.get(b);
                        pieces.add(b);
                    }
                    @Override
                    public void onComplete() {}
                    @Override
                    public void onError(GatewayException error) {}
                });
        assertThat(contentType[0]).isEqualTo("application/vnd.amazon.eventstream 200 r1");
        assertThat(pieces).hasSize(3).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(5));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        pieces.forEach(joined::writeBytes);
        assertThat(joined.toByteArray()).isEqualTo(BODY);

        UpstreamResponse whole = ScriptedUpstreamHttp.always(e.reply(5)).send(UpstreamRequest.postJson(URI.create("http://x.test/"),
                Headers.EMPTY, Bytes.utf8("{}"))).toCompletableFuture().get();
        assertThat(whole.body().toArray()).isEqualTo(BODY);
        assertThat(e.body()).isEqualTo(BODY);
    }

    @Test
    void theSupplierIsCalledWhenTheFixturesAreLoadedNotBefore() {
        AtomicInteger calls = new AtomicInteger();
        Exchange e = Exchange.bytes(200, "application/octet-stream", () -> {
            calls.incrementAndGet();
            return BODY;
        });
        assertThat(calls).hasValue(0);

        assertThat(e.load(ExchangeBytesTest.class, "/unused/").body()).isEqualTo(BODY);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aSupplierThatGivesNothingIsAClearError() {
        assertThatThrownBy(() -> Exchange.bytes(200, "application/octet-stream", () -> null).load(ExchangeBytesTest.class, "/x/"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("the body supplier returned null");
    }
}

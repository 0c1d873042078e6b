package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each framing a front proxy could read differently, with a second request hidden where this
 * gateway would find it if it framed leniently: it must answer exactly once, with the error, and
 * close; the hidden request is never answered.
 */
class RequestSmugglingTest {

    private static final String HIDDEN = "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";
    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("", Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Transfer-Encoding xchunked          | Transfer-Encoding: xchunked\\r\\n                         | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            Transfer-Encoding gzip              | Transfer-Encoding: gzip\\r\\n                             | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            Transfer-Encoding foo               | Transfer-Encoding: foo\\r\\n                              | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            Transfer-Encoding identity          | Transfer-Encoding: identity\\r\\n                         | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            gzip then chunked                   | Transfer-Encoding: gzip, chunked\\r\\n                    | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            chunked then gzip                   | Transfer-Encoding: chunked, gzip\\r\\n                    | 0\\r\\n\\r\\n         | 501 | unsupported_transfer_encoding
            empty Transfer-Encoding             | Transfer-Encoding: \\r\\n                                 | 0\\r\\n\\r\\n         | 400 | invalid_request
            chunked twice                       | Transfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n | 0\\r\\n\\r\\n  | 400 | invalid_request
            Content-Length and chunked          | Content-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n   | 0\\r\\n\\r\\n         | 400 | invalid_request
            two differing Content-Lengths       | Content-Length: 5\\r\\nContent-Length: 0\\r\\n            | \\r\\n\\r\\n{}        | 400 | invalid_request
            Content-Length list                 | Content-Length: 0, 5\\r\\n                                | hello                 | 400 | invalid_request
            non-numeric Content-Length          | Content-Length: 5x\\r\\n                                  | hello                 | 400 | invalid_request
            negative Content-Length             | Content-Length: -5\\r\\n                                  | hello                 | 400 | invalid_request
            obsolete line folding               | Transfer-Encoding:\\r\\n chunked\\r\\n                    | 0\\r\\n\\r\\n         | 400 | invalid_request
            space before the colon              | Transfer-Encoding : chunked\\r\\n                         | 0\\r\\n\\r\\n         | 400 | invalid_request
            bare LF after a header              | Transfer-Encoding: chunked\\n                             | 0\\r\\n\\r\\n         | 400 | invalid_request
            bare CR after a header              | Transfer-Encoding: chunked\\rX: y\\r\\n                   | 0\\r\\n\\r\\n         | 400 | invalid_request
            bad hex chunk size                  | Transfer-Encoding: chunked\\r\\n                          | zz\\r\\n\\r\\n        | 400 | invalid_request
            garbage after the chunk size        | Transfer-Encoding: chunked\\r\\n                          | 2 zz\\r\\nab\\r\\n0\\r\\n\\r\\n | 400 | invalid_request
            garbage glued to the chunk size     | Transfer-Encoding: chunked\\r\\n                          | 2zz\\r\\nab\\r\\n0\\r\\n\\r\\n | 400 | invalid_request
            no CRLF after chunk data            | Transfer-Encoding: chunked\\r\\n                          | 2\\r\\nabXX0\\r\\n\\r\\n | 400 | invalid_request
            bare LF after chunk data            | Transfer-Encoding: chunked\\r\\n                          | 2\\r\\nab\\n0\\r\\n\\r\\n | 400 | invalid_request
            oversize chunk size                 | Transfer-Encoding: chunked\\r\\n                          | 10000000000000000\\r\\n | 400 | invalid_request
            """)
    void answersOnceAndNeverTheHiddenRequest(String name, String headers, String body, int status, String code) throws Exception {
        String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + unescape(headers) + "\r\n" + unescape(body) + HIDDEN;
        String wire = RawHttp.exchange(gateway.port(), request);
        assertThat(RawHttp.statuses(wire)).as(wire).containsExactly(status);
        assertThat(wire).contains("\"code\":\"" + code + "\"").containsIgnoringCase("connection: close");
        assertThat(wire).doesNotContain("\"object\":\"list\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            long chunk extension   | 1;name=%s\\r\\na\\r\\n0\\r\\n\\r\\n
            long chunk-size line   | 1%s\\r\\na\\r\\n0\\r\\n\\r\\n
            """)
    void refusesChunkSizeLinesPastTheirBoundWith400(String name, String body) throws Exception {
        String filler = name.startsWith("long chunk extension") ? "v".repeat(2000) : " ".repeat(2000);
        String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + unescape(body).formatted(filler) + HIDDEN;
        String wire = RawHttp.exchange(gateway.port(), request);
        assertThat(RawHttp.statuses(wire)).as(wire).containsExactly(400);
        assertThat(wire).contains("\"code\":\"invalid_request\"");
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}

package dev.tollgate.kernel.server;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.time.Duration;

/** Why the connection guard refused a request: the status, code and message of the error answered before closing. */
record Rejection(int status, String code, String message) {

    static final Rejection MALFORMED_REQUEST_LINE = bad("malformed request line");
    static final Rejection HTTP_VERSION = new Rejection(505, "http_version_not_supported",
            "only HTTP/1.1 and HTTP/1.0 are supported");
    static final Rejection BARE_LINE_END = bad("a bare CR or LF where CRLF is required");
    static final Rejection HEADER_NAME = bad("malformed header name");
    static final Rejection SPACE_BEFORE_COLON = bad("whitespace between a header name and its colon");
    static final Rejection OBS_FOLD = bad("obsolete line folding in a header");
    static final Rejection HEADER_VALUE = bad("a control character in a header value");
    static final Rejection CONTENT_LENGTH = bad("Content-Length is not a non-negative decimal number");
    static final Rejection DUPLICATE_CONTENT_LENGTH = bad("more than one Content-Length");
    static final Rejection LENGTH_AND_CHUNKED = bad("both Content-Length and Transfer-Encoding");
    static final Rejection EMPTY_TRANSFER_ENCODING = bad("an empty Transfer-Encoding");
    static final Rejection CHUNKED_TWICE = bad("chunked more than once in Transfer-Encoding");
    static final Rejection TRANSFER_ENCODING_HTTP10 = bad("Transfer-Encoding in an HTTP/1.0 request");
    static final Rejection UNSUPPORTED_TRANSFER_ENCODING = new Rejection(501, "unsupported_transfer_encoding",
            "the only supported Transfer-Encoding is chunked");
    static final Rejection CHUNK_SIZE = bad("malformed chunk size");
    static final Rejection CHUNK_LINE = bad("chunk extensions longer than allowed");
    static final Rejection CHUNK_DATA_END = bad("missing CRLF after chunk data");
    static final Rejection TRAILER = bad("malformed chunked trailer");
    static final Rejection TOO_MANY_FIELDS = new Rejection(431, "request_headers_too_large",
            "more than " + RequestFraming.MAX_FIELDS + " header fields");
    static final Rejection HEADER_TIMEOUT = new Rejection(408, "request_timeout", "the request head did not arrive in time");
    static final Rejection BODY_TIMEOUT = new Rejection(408, "request_timeout", "the request body stopped arriving");
    static final Rejection SHUTTING_DOWN = new Rejection(503, "shutting_down",
            "the gateway is shutting down; retry on another instance");
    static final Rejection BUSY = new Rejection(503, "server_busy",
            "the gateway holds too many request bytes right now; retry shortly");

    static Rejection headTooLarge(int max) {
        return new Rejection(431, "request_headers_too_large", "the request head is larger than " + max + " bytes");
    }

    static Rejection uriTooLong(int max) {
        return new Rejection(414, "uri_too_long", "the request line is longer than " + max + " bytes");
    }

    private static Rejection bad(String what) {
        return new Rejection(400, "invalid_request", "malformed HTTP request: " + what);
    }

    GatewayException toException() {
        if (status == 503) {
            return GatewayException.builder(ErrorType.UPSTREAM_SERVER, status, code).message(message)
                    .retryAfter(Duration.ofSeconds(1)).build();
        }
        return GatewayException.builder(ErrorType.CLIENT, status, code).message(message).build();
    }
}

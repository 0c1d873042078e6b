package dev.tollgate.spi.testkit.conformance;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.SseFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One provider's side of the conformance suite: for every {@link ConformanceCase}, the upstream
 * exchange (what the adapter's request must look like, and the provider's recorded answer) and the
 * golden canonical result, or the reason the case does not apply to the provider. Wire bytes are read
 * from test resources, so they stay files a reader can compare with the provider's API reference.
 *
 * <pre>{@code
 * ProviderFixtures.builder("gemini", "gemini-2.5-flash", GeminiConformanceTest.class, "/fixtures/gemini/")
 *     .answer(TEXT, Exchange.json(200, "text.response.json").expectPathEndsWith(":generateContent"),
 *             Golden.answer().text("Hello!").stop(StopReason.END_TURN).usage(Usage.of(8, 3)))
 *     .notApplicable(STOP_PAUSE, "Gemini has no pause")
 *     ...
 *     .build();
 * }</pre>
 *
 * A case that is neither mapped nor marked not applicable fails the suite: gaps are explicit.
 */
public final class ProviderFixtures {

    private final String provider;
    private final String upstreamModel;
    private final Map<ConformanceCase, Entry> entries;

    private ProviderFixtures(Builder b) {
        this.provider = b.provider;
        this.upstreamModel = b.upstreamModel;
        this.entries = new EnumMap<>(b.entries);
    }

    /**
     * @param provider      the provider's name in results and the compatibility matrix (usually the factory's name)
     * @param upstreamModel the deployment's model at the provider, as the requests name it
     * @param anchor        a class whose loader sees the fixture files
     * @param directory     the resource directory of the files, e.g. {@code /fixtures/gemini/}
     */
    public static Builder builder(String provider, String upstreamModel, Class<?> anchor, String directory) {
        return new Builder(provider, upstreamModel, anchor, directory);
    }

    public String provider() {
        return provider;
    }

    public String upstreamModel() {
        return upstreamModel;
    }

    /** What the fixtures say about {@code c}; empty when they say nothing (the suite then fails the case). */
    public Optional<Entry> entry(ConformanceCase c) {
        return Optional.ofNullable(entries.get(c));
    }

    /** A mapped case ({@code exchange} and {@code golden}) or one that does not apply ({@code reason}). */
    public record Entry(Exchange exchange, Golden golden, String notApplicable) {}

    /** Builds {@link ProviderFixtures}. */
    public static final class Builder {
        private final String provider;
        private final String upstreamModel;
        private final Class<?> anchor;
        private final String directory;
        private final Map<ConformanceCase, Entry> entries = new EnumMap<>(ConformanceCase.class);

        private Builder(String provider, String upstreamModel, Class<?> anchor, String directory) {
            this.provider = requireNonNull(provider, "provider is null");
            this.upstreamModel = requireNonNull(upstreamModel, "upstreamModel is null");
            this.anchor = requireNonNull(anchor, "anchor is null");
            this.directory = directory.endsWith("/") ? directory : directory + "/";
        }

        /** Maps {@code c} to an exchange and its golden result. */
        public Builder answer(ConformanceCase c, Exchange exchange, Golden golden) {
            put(c, new Entry(exchange.load(anchor, directory), requireNonNull(golden, "golden is null"), null));
            return this;
        }

        /** Maps an error case to an exchange; the suite checks the class the case names, {@code golden} any details. */
        public Builder error(ConformanceCase c, Exchange exchange, Golden golden) {
            if (c.kind() != ConformanceCase.Kind.ERROR) {
                throw new IllegalArgumentException(c + " is not an error case");
            }
            return answer(c, exchange, golden);
        }

        /** Marks {@code c} as not applicable to the provider; the reason shows in the compatibility matrix. */
        public Builder notApplicable(ConformanceCase c, String reason) {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("say why " + c + " does not apply");
            }
            put(c, new Entry(null, null, reason));
            return this;
        }

        private void put(ConformanceCase c, Entry e) {
            if (entries.putIfAbsent(c, e) != null) {
                throw new IllegalArgumentException(c + " is mapped twice");
            }
        }

        public ProviderFixtures build() {
            return new ProviderFixtures(this);
        }
    }

    /**
     * The upstream side of a case: the provider's recorded answer (a file) and checks of the request
     * the adapter sent. Body checks apply only to translated requests (a pass-through body is the
     * client's own); path and header checks to both.
     */
    public static final class Exchange {
        private final int status;
        private final String file;
        private final boolean eventStream;
        private final Headers headers;
        private final GatewayException thenFail;
        private final GatewayException transportFailure;
        private final List<Consumer<UpstreamRequest>> checks;
        private final List<String> bodyContains;
        private final byte[] bytes;
        private final Supplier<byte[]> raw;

        private Exchange(int status, String file, boolean eventStream, Headers headers, GatewayException thenFail,
                GatewayException transportFailure, List<Consumer<UpstreamRequest>> checks, List<String> bodyContains, byte[] bytes) {
            this(status, file, eventStream, headers, thenFail, transportFailure, checks, bodyContains, bytes, null);
        }

        private Exchange(int status, String file, boolean eventStream, Headers headers, GatewayException thenFail,
                GatewayException transportFailure, List<Consumer<UpstreamRequest>> checks, List<String> bodyContains, byte[] bytes,
                Supplier<byte[]> raw) {
            this.status = status;
            this.file = file;
            this.eventStream = eventStream;
            this.headers = headers;
            this.thenFail = thenFail;
            this.transportFailure = transportFailure;
            this.checks = List.copyOf(checks);
            this.bodyContains = List.copyOf(bodyContains);
            this.bytes = bytes;
            this.raw = raw;
        }

        /** A JSON body from {@code file} with {@code status}. */
        public static Exchange json(int status, String file) {
            return new Exchange(status, requireNonNull(file, "file is null"), false,
                    Headers.of("Content-Type", "application/json"), null, null, List.of(), List.of(), null);
        }

        /** A 200 {@code text/event-stream} body from {@code file}; the suite delivers it whole and in small pieces. */
        public static Exchange sse(String file) {
            return new Exchange(200, requireNonNull(file, "file is null"), true,
                    Headers.of("Content-Type", "text/event-stream"), null, null, List.of(), List.of(), null);
        }

        /**
         * A body of raw bytes with {@code status} and {@code contentType}, for answers that are neither
         * JSON nor SSE (a binary stream such as AWS event-stream, framed by the test). Like an SSE
         * exchange it is delivered whole and again in small pieces, so that a decoder meets frames split
         * anywhere; a non-streamed call gets the pieces joined.
         */
        public static Exchange bytes(int status, String contentType, byte[] body) {
            byte[] copy = requireNonNull(body, "body is null").clone();
            return bytes(status, contentType, () -> copy);
        }

        /** As {@link #bytes(int, String, byte[])}, the body made by {@code body} when the fixtures are loaded. */
        public static Exchange bytes(int status, String contentType, Supplier<byte[]> body) {
            return new Exchange(status, null, false, Headers.of("Content-Type", requireNonNull(contentType, "contentType is null")),
                    null, null, List.of(), List.of(), null, requireNonNull(body, "body is null"));
        }

        /** A transport failure before any response (the kernel's client reports a timeout or a reset so). */
        public static Exchange transportFailure(GatewayException error) {
            return new Exchange(0, null, false, Headers.EMPTY, null, requireNonNull(error, "error is null"), List.of(), List.of(),
                    null);
        }

        /** This answer, then the connection fails (a reset mid-stream). */
        public Exchange thenFail(GatewayException error) {
            return new Exchange(status, file, eventStream, headers, error, transportFailure, checks, bodyContains, bytes, raw);
        }

        /** This answer with a response header (for example {@code Retry-After}). */
        public Exchange withHeader(String name, String value) {
            return new Exchange(status, file, eventStream, headers.toBuilder().add(name, value).build(), thenFail,
                    transportFailure, checks, bodyContains, bytes, raw);
        }

        /** The request's URI path must end with {@code suffix} (query excluded). */
        public Exchange expectPathEndsWith(String suffix) {
            return expect(r -> {
                if (!r.uri().getRawPath().endsWith(suffix)) {
                    throw new AssertionError("upstream path " + r.uri().getRawPath() + " does not end with " + suffix);
                }
            });
        }

        /** The request must carry header {@code name} with exactly {@code value}. */
        public Exchange expectHeader(String name, String value) {
            return expect(r -> {
                String got = r.headers().first(name).orElse(null);
                if (!value.equals(got)) {
                    throw new AssertionError("upstream header " + name + " is " + (got == null ? "absent" : "not the expected value"));
                }
            });
        }

        /** A translated request's body must contain each of {@code fragments} (compared without insignificant whitespace). */
        public Exchange expectBodyContains(String... fragments) {
            List<String> all = new ArrayList<>(bodyContains);
            all.addAll(List.of(fragments));
            return new Exchange(status, file, eventStream, headers, thenFail, transportFailure, checks, all, bytes, raw);
        }

        /** Any other check of the request; throw an {@link AssertionError} to fail. */
        public Exchange expect(Consumer<UpstreamRequest> check) {
            List<Consumer<UpstreamRequest>> all = new ArrayList<>(checks);
            all.add(requireNonNull(check, "check is null"));
            return new Exchange(status, file, eventStream, headers, thenFail, transportFailure, all, bodyContains, bytes, raw);
        }

        Exchange load(Class<?> anchor, String directory) {
            if (raw != null) {
                byte[] made = requireNonNull(raw.get(), "the body supplier returned null");
                return new Exchange(status, file, eventStream, headers, thenFail, transportFailure, checks, bodyContains, made, raw);
            }
            if (file == null) {
                return this;
            }
            String path = directory + file;
            try (InputStream in = anchor.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalArgumentException("no fixture file " + path + " next to " + anchor.getName());
                }
                return new Exchange(status, file, eventStream, headers, thenFail, transportFailure, checks, bodyContains,
                        in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The fixture file's name, or {@code null} for a transport failure. */
        public String file() {
            return file;
        }

        public boolean eventStream() {
            return eventStream;
        }

        /** Whether the suite delivers the body whole and again in small pieces: SSE and raw-bytes exchanges. */
        public boolean inPieces() {
            return eventStream || raw != null;
        }

        /** The recorded body. */
        public byte[] body() {
            return bytes == null ? new byte[0] : bytes.clone();
        }

        public String bodyText() {
            return new String(body(), StandardCharsets.UTF_8);
        }

        /** The scripted reply, its body in pieces of at most {@code pieceSize} bytes. */
        ScriptedUpstreamHttp.Reply reply(int pieceSize) {
            if (transportFailure != null) {
                return ScriptedUpstreamHttp.Reply.failure(transportFailure);
            }
            ScriptedUpstreamHttp.Reply r;
            if (eventStream) {
                r = ScriptedUpstreamHttp.Reply.eventStream(SseFixtures.split(bytes, pieceSize));
                for (int i = 0; i < headers.size(); i++) {
                    if (!headers.name(i).equalsIgnoreCase("content-type")) {
                        r = r.withHeader(headers.name(i), headers.value(i));
                    }
                }
            } else if (raw != null) {
                r = ScriptedUpstreamHttp.Reply.of(status, headers, SseFixtures.split(bytes, pieceSize));
            } else {
                r = ScriptedUpstreamHttp.Reply.of(status, headers, bytes);
            }
            return thenFail == null ? r : r.thenFail(thenFail);
        }

        void check(UpstreamRequest request, boolean translated) {
            for (Consumer<UpstreamRequest> c : checks) {
                c.accept(request);
            }
            if (translated && !bodyContains.isEmpty()) {
                String body = Json.compact(request.body().utf8());
                for (String f : bodyContains) {
                    if (!body.contains(Json.compact(f))) {
                        throw new AssertionError("the translated upstream body does not contain " + f + "\nbody: " + body);
                    }
                }
            }
        }
    }

    /**
     * The golden canonical result of a case: what a client must get whatever API it speaks. Unset
     * parts are not compared; a tool call's id {@code null} means "any non-empty id, distinct from the
     * others" (for providers whose calls have none and the adapter makes one up).
     */
    public static final class Golden {
        private String text;
        private String thinking;
        private final List<ToolCall> toolCalls = new ArrayList<>();
        private boolean toolCallsSet;
        private StopReason stop;
        private Usage usage;
        private boolean noUsage;
        private ErrorType errorType;
        private Integer status;
        private String code;
        private FailureReason reason;
        private Boolean retryable;
        private Long retryAfterSeconds;

        private Golden() {}

        /** A golden answer. */
        public static Golden answer() {
            return new Golden();
        }

        /** A golden failure; the case fixes its class, this may add the exact status, code or reason. */
        public static Golden error() {
            return new Golden();
        }

        /** The answer's whole text (a stream's concatenated text deltas; for an interrupted stream what arrived). */
        public Golden text(String t) {
            this.text = requireNonNull(t, "text is null");
            return this;
        }

        /** The concatenated visible reasoning. */
        public Golden thinking(String t) {
            this.thinking = requireNonNull(t, "thinking is null");
            return this;
        }

        /** A tool call, in order; {@code id} {@code null} for any generated id. Arguments compare ignoring insignificant whitespace. */
        public Golden toolCall(String id, String name, String argumentsJson) {
            toolCalls.add(new ToolCall(id, requireNonNull(name, "name is null"), requireNonNull(argumentsJson, "arguments is null")));
            toolCallsSet = true;
            return this;
        }

        /** No tool calls. */
        public Golden noToolCalls() {
            toolCallsSet = true;
            return this;
        }

        public Golden stop(StopReason s) {
            this.stop = requireNonNull(s, "stop is null");
            return this;
        }

        public Golden usage(Usage u) {
            this.usage = requireNonNull(u, "usage is null");
            return this;
        }

        /** The provider reports no usage here, and the answer must say so (no zeros in disguise). */
        public Golden noUsage() {
            this.noUsage = true;
            return this;
        }

        /** The exact class of a failure (overrides the case's default check of the type). */
        public Golden errorType(ErrorType t) {
            this.errorType = t;
            return this;
        }

        public Golden status(int s) {
            this.status = s;
            return this;
        }

        public Golden code(String c) {
            this.code = c;
            return this;
        }

        public Golden reason(FailureReason r) {
            this.reason = r;
            return this;
        }

        public Golden retryable(boolean r) {
            this.retryable = r;
            return this;
        }

        /** The {@code Retry-After} the failure must carry. */
        public Golden retryAfterSeconds(long s) {
            this.retryAfterSeconds = s;
            return this;
        }

        String text() {
            return text;
        }

        String thinking() {
            return thinking;
        }

        List<ToolCall> toolCalls() {
            return toolCallsSet ? List.copyOf(toolCalls) : null;
        }

        StopReason stop() {
            return stop;
        }

        Usage usage() {
            return usage;
        }

        boolean expectsNoUsage() {
            return noUsage;
        }

        ErrorType errorType() {
            return errorType;
        }

        Integer status() {
            return status;
        }

        String code() {
            return code;
        }

        FailureReason reason() {
            return reason;
        }

        Boolean retryable() {
            return retryable;
        }

        Long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** A golden tool call. */
        record ToolCall(String id, String name, String arguments) {}
    }
}

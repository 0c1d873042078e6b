package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One deployment behind Amazon Bedrock's Converse API ({@code POST {endpoint}/model/{modelId}/converse}
 * and {@code /converse-stream}), every request signed with SigV4 for the service {@code bedrock}. Bedrock
 * speaks none of the client formats, so every request is translated through the canonical model
 * ({@link ConverseRequests}, {@link ConverseResponses}, {@link ConverseStreamReader}).
 */
final class BedrockAdapter implements ProviderAdapter {

    static final String SERVICE = "bedrock";
    private static final String JSON = "application/json";
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private final BedrockConfig config;
    private final Clock clock;
    private final Warnings warnings;

    BedrockAdapter(BedrockConfig config, Clock clock, Warnings warnings) {
        this.config = config;
        this.clock = clock;
        this.warnings = warnings;
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        if (config.problem() != null) {
            sink.fail(missingCredentials());
            return;
        }
        UpstreamRequest upstream;
        try {
            upstream = upstream(request, "converse", JSON, translate(request));
        } catch (GatewayException e) {
            sink.fail(e);
            return;
        }
        call.http().send(upstream).whenComplete((response, failure) -> {
            if (failure != null) {
                sink.fail(unwrap(failure));
                return;
            }
            try {
                byte[] b = response.body().toArray();
                if (!response.isSuccess()) {
                    sink.fail(ErrorMapping.map(response.status(), response.headers(), b, b.length));
                    return;
                }
                ChatResponse answer;
                try {
                    answer = ConverseResponses.parse(b, b.length, answerId(response.headers(), request), request.upstreamModel(), warnings);
                } catch (FormatException e) {
                    throw ErrorMapping.malformed(e);
                }
                sink.respond(answer, passedHeaders(response.headers()));
            } catch (GatewayException e) {
                sink.fail(e);
            }
        });
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        if (config.problem() != null) {
            sink.fail(missingCredentials());
            return;
        }
        UpstreamRequest upstream;
        try {
            upstream = upstream(request, "converse-stream", EVENT_STREAM, translate(request));
        } catch (GatewayException e) {
            sink.fail(e);
            return;
        }
        call.http().stream(upstream, new ConverseStream(sink, request, config.maxEventBytes(), warnings));
    }

    private Bytes translate(ProviderRequest request) {
        int defaultMax = config.defaultMaxTokens().orElseGet(() -> request.modelInfo()
                .flatMap(i -> i.maxOutputTokens().isPresent() ? java.util.Optional.of((int) Math.min(Integer.MAX_VALUE,
                        i.maxOutputTokens().getAsLong())) : java.util.Optional.empty())
                .orElse(ConverseRequests.FALLBACK_MAX_TOKENS));
        try {
            return Bytes.wrapOwned(ConverseRequests.write(request.canonical(), request.upstreamModel(), defaultMax, warnings));
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    /** The signed request: {@code host}, {@code content-type}, {@code x-amz-date} and the session token are signed. */
    UpstreamRequest upstream(ProviderRequest request, String action, String accept, Bytes body) {
        URI uri = URI.create(config.endpoint() + "/model/" + pathSegment(request.upstreamModel()) + "/" + action);
        AwsCredentials c = config.credentials();
        String amzDate = SigV4.amzDate(clock.instant());
        List<Map.Entry<String, String>> signed = new ArrayList<>(4);
        signed.add(Map.entry("host", hostHeader(uri)));
        signed.add(Map.entry("content-type", JSON));
        signed.add(Map.entry("x-amz-date", amzDate));
        if (c.sessionToken() != null) {
            signed.add(Map.entry("x-amz-security-token", c.sessionToken()));
        }
        byte[] b = body.toArray();
        SigV4.Signature s = SigV4.sign("POST", uri.getRawPath(), uri.getRawQuery(), signed, SigV4.sha256Hex(b), c, config.region(),
                SERVICE);
        Headers.Builder h = Headers.builder().add("content-type", JSON).add("accept", accept).add("x-amz-date", amzDate);
        if (c.sessionToken() != null) {
            h.add("x-amz-security-token", c.sessionToken());
        }
        h.add("authorization", s.authorization());
        return new UpstreamRequest("POST", uri, h.build(), body, config.connectTimeout(), config.readTimeout(), config.readTimeout(),
                config.timeout(), HttpProtocol.HTTP_1_1);
    }

    /** The {@code Host} the kernel's client sends: the port only when it is not the scheme's default. */
    static String hostHeader(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        return port == -1 || https && port == 443 || !https && port == 80 ? host : host + ":" + port;
    }

    /** A model id, inference profile or ARN as one path segment: everything but the unreserved characters percent-encoded. */
    static String pathSegment(String modelId) {
        StringBuilder out = new StringBuilder(modelId.length() + 8);
        for (byte x : modelId.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Converse answers carry no id: AWS's request id names the answer. */
    static String answerId(Headers headers, ProviderRequest request) {
        return headers.first("x-amzn-requestid").filter(v -> !v.isBlank()).orElse("bedrock-" + request.requestId());
    }

    /** AWS's request id, for support cases. */
    static Headers passedHeaders(Headers upstream) {
        return upstream.first("x-amzn-requestid").map(v -> Headers.of("x-amzn-requestid", v)).orElse(Headers.EMPTY);
    }

    private GatewayException missingCredentials() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_missing")
                .message("this Bedrock deployment cannot sign requests: " + config.problem())
                .build();
    }

    private GatewayException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof GatewayException g ? g : GatewayException.internal("the bedrock adapter failed", t);
    }

    @Override
    public String toString() {
        return "BedrockAdapter[" + config + "]";
    }
}

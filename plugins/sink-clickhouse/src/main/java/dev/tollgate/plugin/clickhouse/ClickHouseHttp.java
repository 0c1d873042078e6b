package dev.tollgate.plugin.clickhouse;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Statements over ClickHouse's HTTP interface with the JDK client: a connect timeout and a
 * request timeout on every call, answers read up to a bound, the password only in a header and
 * never in a message.
 */
final class ClickHouseHttp implements AutoCloseable {

    /** Error texts are cut to this many characters in messages. */
    static final int ERROR_CHARS = 200;
    private static final int MAX_ERROR_BYTES = 4096;

    private final ClickHouseSinkConfig config;
    private final String base;
    private final HttpClient client;

    ClickHouseHttp(ClickHouseSinkConfig config) {
        this.config = requireNonNull(config, "config is null");
        String url = config.url().toString();
        this.base = url.endsWith("/") ? url : url + "/";
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Runs {@code statement} (sent as the body) and returns up to {@code maxAnswerBytes} of the answer. */
    String execute(String statement, String what, int maxAnswerBytes) throws IOException, InterruptedException {
        return send(URI.create(base), statement.getBytes(StandardCharsets.UTF_8), what, maxAnswerBytes);
    }

    /** Sends {@code rows} as the data of {@code statement} (an {@code INSERT … FORMAT …}). */
    void insert(String statement, byte[] rows, String what) throws IOException, InterruptedException {
        send(URI.create(base + "?query=" + URLEncoder.encode(statement, StandardCharsets.UTF_8)), rows, what, MAX_ERROR_BYTES);
    }

    private String send(URI uri, byte[] body, String what, int maxAnswerBytes) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Content-Type", "text/plain; charset=utf-8").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.user().isPresent() || config.password().isPresent()) {
            request.header("X-ClickHouse-User", config.user().orElse("default"));
        }
        config.password().ifPresent(p -> request.header("X-ClickHouse-Key", p));
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new IOException("ClickHouse at " + config.url() + " did not answer " + what + " within "
                    + describe(e instanceof HttpConnectTimeoutException ? config.connectTimeout() : config.timeout()), e);
        } catch (IOException e) {
            throw new IOException("ClickHouse at " + config.url() + " cannot be reached for " + what + ": " + scrub(e.toString()), e);
        }
        String answer;
        try (InputStream in = response.body()) {
            boolean ok = response.statusCode() / 100 == 2;
            answer = new String(in.readNBytes(ok ? maxAnswerBytes : MAX_ERROR_BYTES), StandardCharsets.UTF_8);
            if (!ok) {
                throw new IOException("ClickHouse answered " + response.statusCode() + " to " + what + ": " + errorText(answer));
            }
        }
        return answer;
    }

    /** The server's error, without the password, on one line, cut to {@link #ERROR_CHARS}. */
    String errorText(String answer) {
        String text = scrub(answer).replaceAll("\\s+", " ").strip();
        return text.length() <= ERROR_CHARS ? text : text.substring(0, ERROR_CHARS) + "…";
    }

    /** Replaces the password wherever it appears (servers and proxies may echo a request). */
    String scrub(String text) {
        if (config.password().isEmpty() || text == null) {
            return text;
        }
        return text.replace(config.password().get(), "***");
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}

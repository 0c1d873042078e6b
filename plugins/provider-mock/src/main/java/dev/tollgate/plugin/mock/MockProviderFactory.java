package dev.tollgate.plugin.mock;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;

/**
 * The {@code mock} provider: a deterministic fake model that answers chat completions (streamed or
 * not) and embeddings without any I/O. Configuration keys, all optional:
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ttft}</td><td>{@code 0ms}</td><td>latency before the first chunk of a stream, a
 *       non-stream answer, an embeddings answer and a {@code timeout} error</td></tr>
 *   <tr><td>{@code tokens_per_second}</td><td>0</td><td>stream pace; 0 sends the whole stream at once</td></tr>
 *   <tr><td>{@code response_tokens}</td><td>16</td><td>words of a generated answer; excludes {@code reply}</td></tr>
 *   <tr><td>{@code reply}</td><td>none</td><td>a fixed answer, split at whitespace into its tokens</td></tr>
 *   <tr><td>{@code error_rate}</td><td>0</td><td>share of calls, 0 to 1, that fail with {@code error_kind}</td></tr>
 *   <tr><td>{@code error_kind}</td><td>{@code server}</td><td>{@code rate_limit} (429 {@code RATE_LIMITED},
 *       retry after 1s), {@code server} (502 {@code UPSTREAM_SERVER}), {@code timeout} (504
 *       {@code UPSTREAM_SERVER}, after {@code ttft}) or {@code bad_request} (400 {@code UPSTREAM_CLIENT})</td></tr>
 *   <tr><td>{@code seed}</td><td>42</td><td>decides, with the call's number, which calls fail</td></tr>
 *   <tr><td>{@code fail_after_tokens}</td><td>-1</td><td>when 0 or more, every stream fails with
 *       {@code error_kind} after this many content chunks (after all of them when the answer is
 *       shorter) instead of finishing; non-stream answers are unaffected</td></tr>
 *   <tr><td>{@code embedding_dimensions}</td><td>8</td><td>length of embedding vectors, 1 to 16384, unless
 *       the request sets {@code dimensions}</td></tr>
 * </table>
 */
public final class MockProviderFactory implements ProviderFactory {

    public static final String NAME = "mock";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        return new MockAdapter(MockSettings.from(config), context.clock(), context.ticker());
    }
}

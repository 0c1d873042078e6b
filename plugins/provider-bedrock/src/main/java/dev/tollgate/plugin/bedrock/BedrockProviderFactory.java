package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.PluginWarnings;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

final class BedrockProviderFactory implements ProviderFactory {

    static final String NAME = "bedrock";

    private final Map<String, String> env;
    private final Path home;

    BedrockProviderFactory() {
        this(System.getenv(), Path.of(System.getProperty("user.home", ".")));
    }

    /** With another environment and home folder, for tests. */
    BedrockProviderFactory(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(BedrockConfig.ACCESS_KEY_ID, BedrockConfig.SECRET_ACCESS_KEY, BedrockConfig.SESSION_TOKEN);
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        BedrockConfig c = BedrockConfig.from(config, env, home);
        if (c.problem() != null) {
            context.logger().log(System.Logger.Level.WARNING, "bedrock deployment " + config.keyPath(BedrockConfig.REGION).replaceFirst("\\.region$", "") + ": " + c.problem()
                    + "; its requests fail with 502 until that is fixed");
        }
        return new BedrockAdapter(c, context.clock(), PluginWarnings.of(context));
    }
}

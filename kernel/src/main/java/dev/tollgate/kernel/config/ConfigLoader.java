package dev.tollgate.kernel.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code tollgate.yaml} into a validated {@link GatewayConfig}. Strict: an unknown key, a
 * missing required key or a value of the wrong type fails with one message that names the key and
 * what is allowed. Plugin sections stay raw here; {@link #resolveComponentConfig} resolves their
 * references once the factory (and so its secret keys) is known.
 */
public final class ConfigLoader {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");

    private final References references;
    private final Path home;

    /**
     * @param references resolves {@code ${env:…}} and {@code ${file:…}}
     * @param home       the installation folder that relative {@code plugins_dir} values start from
     */
    public ConfigLoader(References references, Path home) {
        this.references = references;
        this.home = home;
    }

    public GatewayConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage());
        }
        return parse(text, file);
    }

    public GatewayConfig parse(String yaml, Path source) {
        Object root;
        try {
            root = yaml.isBlank() ? null : new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException("configuration is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null) {
            root = Map.of();
        }
        if (!(root instanceof Map<?, ?> rootMap)) {
            throw new ConfigException("configuration must be a map with keys server, plugins, models, policies");
        }
        PluginConfig top = PluginConfig.of("", stringKeys(rootMap, ""));
        ServerSettings server = server(top.section("server"));
        Path pluginsDir = pluginsDirectory(top.optionalString("plugins_dir").map(v -> references.resolve("plugins_dir", v)).orElse(null));
        List<String> plugins = top.stringList("plugins");
        Map<String, ModelSettings> models = models(rootMap.get("models"), server);
        List<ComponentSettings> policies = components("policies", rootMap.get("policies"));
        UpstreamSettings upstream = upstream(top.section("upstream"));
        top.has("models");
        top.has("policies");
        top.requireAllRead();
        return new GatewayConfig(source, server, pluginsDir, plugins, models, policies, upstream);
    }

    /**
     * Resolves the references in a component's raw configuration. A key listed in
     * {@code secretKeys} must be a single reference: a literal secret in the file is refused.
     */
    public Map<String, Object> resolveComponentConfig(String path, Map<String, Object> raw, Set<String> secretKeys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = path + "." + e.getKey();
            Object value = e.getValue();
            if (secretKeys.contains(e.getKey())) {
                if (!(value instanceof String s) || !References.isSingleReference(s)) {
                    throw new ConfigException(key + " is a secret: write it as a reference such as ${env:NAME} or "
                            + "${file:/path/to/secret}, never as a literal value");
                }
            }
            out.put(e.getKey(), resolveValue(key, value));
        }
        return out;
    }

    private Object resolveValue(String key, Object value) {
        if (value instanceof String s) {
            return References.containsReference(s) ? references.resolve(key, s) : s;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), resolveValue(key + "." + k, v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(resolveValue(key + "[" + i + "]", l.get(i)));
            }
            return out;
        }
        return value;
    }

    private ServerSettings server(PluginConfig s) {
        ServerSettings d = ServerSettings.DEFAULTS;
        String host = resolved(s, "host", d.host());
        int port = (int) range(s.path() + ".port", Long.parseLong(resolved(s, "port", String.valueOf(d.port()))), 0, 65535);
        int ioThreads = (int) range(s.path() + ".io_threads", s.intValue("io_threads", d.ioThreads()), 0, 1024);
        long maxRequest = size(s, "max_request_bytes", d.maxRequestBytes());
        long maxHeader = size(s, "max_header_bytes", d.maxHeaderBytes());
        range(s.path() + ".max_request_bytes", maxRequest, 1024, 1L << 30);
        range(s.path() + ".max_header_bytes", maxHeader, 1024, 1L << 20);
        Duration idle = s.duration("idle_timeout", d.idleTimeout());
        Duration ttft = s.duration("ttft_timeout", d.ttftTimeout());
        Duration grace = s.duration("shutdown_grace", d.shutdownGrace());
        s.requireAllRead();
        return new ServerSettings(host, port, ioThreads, maxRequest, (int) maxHeader, idle, ttft, grace);
    }

    private UpstreamSettings upstream(PluginConfig u) {
        UpstreamSettings d = UpstreamSettings.DEFAULTS;
        long maxResponse = range(u.path() + ".max_response_bytes", size(u, "max_response_bytes", d.maxResponseBytes()),
                1024, 1L << 30);
        long maxBuffered = range(u.path() + ".max_buffered_response_bytes",
                size(u, "max_buffered_response_bytes", d.maxBufferedResponseBytes()), 1024, 1L << 40);
        if (maxBuffered < maxResponse) {
            throw new ConfigException(u.path() + ".max_buffered_response_bytes (" + maxBuffered + ") must be at least "
                    + u.path() + ".max_response_bytes (" + maxResponse + ")");
        }
        int streams = (int) range(u.path() + ".max_streams_per_connection",
                u.intValue("max_streams_per_connection", d.maxStreamsPerConnection()), 1, 100_000);
        int connections = (int) range(u.path() + ".max_connections", u.intValue("max_connections", d.maxConnections()),
                0, 10_000_000);
        u.requireAllRead();
        return new UpstreamSettings(maxResponse, maxBuffered, streams, connections);
    }

    private String resolved(PluginConfig s, String key, String dflt) {
        String v = s.string(key, dflt);
        return References.containsReference(v) ? references.resolve(s.path() + "." + key, v) : v;
    }

    private Path pluginsDirectory(String configured) {
        if (configured == null) {
            return home.resolve("plugins").normalize();
        }
        return home.resolve(configured).normalize();
    }

    private Map<String, ModelSettings> models(Object raw, ServerSettings server) {
        Map<String, ModelSettings> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new ConfigException("models must be a map of model name to {deployments: [...]}");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            String path = "models." + name;
            if (!MODEL_NAME.matcher(name).matches()) {
                throw new ConfigException(path + ": a model name is 1-128 characters of letters, digits and ._:/@+-");
            }
            if (!(e.getValue() instanceof Map<?, ?> body)) {
                throw new ConfigException(path + " must be a map with key deployments");
            }
            PluginConfig model = PluginConfig.of(path, stringKeys(body, path));
            if (!model.has("deployments")) {
                throw new ConfigException("missing required key " + path + ".deployments (a list of {provider, model, config})");
            }
            model.requireAllRead();
            if (!(body.get("deployments") instanceof List<?> list) || list.isEmpty()) {
                throw new ConfigException(path + ".deployments must be a non-empty list of {provider, model, config}");
            }
            List<DeploymentSettings> deployments = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                deployments.add(deployment(name, i, list.get(i), server));
            }
            out.put(name, new ModelSettings(name, deployments));
        }
        return out;
    }

    private DeploymentSettings deployment(String model, int index, Object raw, ServerSettings server) {
        String path = "models." + model + ".deployments[" + index + "]";
        if (!(raw instanceof Map<?, ?> m)) {
            throw new ConfigException(path + " must be a map with keys provider, model, config");
        }
        PluginConfig d = PluginConfig.of(path, stringKeys(m, path));
        String provider = d.string("provider");
        String upstream = d.string("model");
        int weight = d.intValue("weight", 1);
        if (weight < 1) {
            throw new ConfigException(path + ".weight must be at least 1");
        }
        Duration ttft = d.duration("ttft_timeout", server.ttftTimeout());
        d.has("config");
        d.requireAllRead();
        Object config = m.get("config");
        if (config != null && !(config instanceof Map)) {
            throw new ConfigException(path + ".config must be a map");
        }
        Map<String, Object> cfg = config == null ? Map.of() : stringKeys((Map<?, ?>) config, path + ".config");
        return new DeploymentSettings(model + "#" + index, provider, upstream, weight, ttft, cfg, path + ".config");
    }

    private List<ComponentSettings> components(String section, Object raw) {
        List<ComponentSettings> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException(section + " must be a list of {name, config}");
        }
        for (int i = 0; i < list.size(); i++) {
            String path = section + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new ConfigException(path + " must be a map with keys name, config");
            }
            PluginConfig c = PluginConfig.of(path, stringKeys(m, path));
            String name = c.string("name");
            c.has("config");
            c.requireAllRead();
            Object config = m.get("config");
            if (config != null && !(config instanceof Map)) {
                throw new ConfigException(path + ".config must be a map");
            }
            out.add(new ComponentSettings(name, config == null ? Map.of() : stringKeys((Map<?, ?>) config, path), path + ".config"));
        }
        return out;
    }

    private static long size(PluginConfig s, String key, long dflt) {
        String v = s.string(key, null);
        if (v == null) {
            return dflt;
        }
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) {
            throw new ConfigException(s.path() + "." + key + " must be a size such as 4MiB, 512KiB or a number of bytes, not '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(java.util.Locale.ROOT);
        return switch (unit) {
            case "KIB", "KB" -> n * 1024;
            case "MIB", "MB" -> n * 1024 * 1024;
            case "GIB", "GB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }

    private static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map, String path) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new ConfigException((path.isEmpty() ? "" : path + ": ") + "key " + e.getKey() + " must be a string");
            }
            out.put(k, e.getValue());
        }
        return out;
    }
}

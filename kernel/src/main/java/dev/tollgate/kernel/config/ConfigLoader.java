package dev.tollgate.kernel.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.kernel.catalog.CatalogEntry;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.kernel.governance.limits.OnStateOutage;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
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
    /** Values resolved from the environment or a file, to the reference as written: messages show the latter. */
    private final Map<String, String> resolvedToWritten = new LinkedHashMap<>();

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
            root = yaml.isBlank() ? null : new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readValue(yaml, Object.class);
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
        Path pluginsDir = pluginsDirectory(top.optionalString("plugins_dir").map(v -> resolveTracked("plugins_dir", v)).orElse(null));
        List<String> plugins = top.stringList("plugins");
        Map<String, ModelSettings> models = models(rootMap.get("models"), server);
        List<ComponentSettings> policies = components("policies", rootMap.get("policies"));
        ModelsFile modelsFile = modelsFile(
                top.optionalString("models_file").map(v -> references.resolve("models_file", v)).orElse(null), source);
        UpstreamSettings upstream = upstream(top.section("upstream"));
        AdminSettings admin = admin(top.section("admin"));
        GovernanceSettings governance = governance(top.section("governance"), rootMap.get("governance"));
        ComponentSettings state = state(top.section("state"), rootMap.get("state"));
        LoggingSettings logging = logging(top.section("logging"), rootMap.get("logging"));
        CacheSettings cache = cache(top.section("cache"), rootMap.get("cache"));
        ResponsesSettings responses = responses(top.section("responses"));
        for (ModelSettings m : models.values()) {
            if (Boolean.TRUE.equals(m.cache().enabled()) && !cache.configured()) {
                throw new ConfigException("models." + m.name() + ".cache.enabled: the response cache has no tiers; add cache.tiers "
                        + "(for example [caffeine]) or remove the model's cache setting");
            }
        }
        top.has("models");
        top.has("policies");
        top.requireAllRead();
        return new GatewayConfig(source, server, pluginsDir, plugins, models, policies, modelsFile, upstream, admin, governance, state,
                logging, cache, responses);
    }

    /** {@code responses: {store: on|off, visibility: key|team, retention: 30d|none, max_chain, max_turn_bytes, purge_interval}}. */
    static ResponsesSettings responses(PluginConfig c) {
        ResponsesSettings d = ResponsesSettings.DEFAULTS;
        String storeText = c.string("store", "on");
        boolean store = switch (storeText.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new ConfigException(c.keyPath("store") + " must be on or off, not '" + storeText + "'");
        };
        ResponsesSettings.Visibility visibility = switch (c.string("visibility", "key").toLowerCase(java.util.Locale.ROOT)) {
            case "key" -> ResponsesSettings.Visibility.KEY;
            case "team" -> ResponsesSettings.Visibility.TEAM;
            default -> throw new ConfigException(c.keyPath("visibility") + " must be key or team, not '" + c.string("visibility") + "'");
        };
        Duration retention = d.retention();
        if (c.has("retention")) {
            String text = c.string("retention").trim();
            java.util.regex.Matcher days = java.util.regex.Pattern.compile("(\\d+)d").matcher(text);
            if (text.equalsIgnoreCase("none")) {
                retention = null;
            } else if (days.matches()) {
                retention = Duration.ofDays(Long.parseLong(days.group(1)));
            } else {
                retention = PluginConfig.parseDuration(c.keyPath("retention"), text);
            }
            if (retention != null && (retention.isZero() || retention.isNegative())) {
                throw new ConfigException(c.keyPath("retention") + " must be a positive duration such as 30d or 12h, or none");
            }
        }
        int maxChain = (int) range(c.keyPath("max_chain"), c.intValue("max_chain", d.maxChain()), 1, 10_000);
        long maxTurn = range(c.keyPath("max_turn_bytes"), size(c, "max_turn_bytes", d.maxTurnBytes()), 1024, 64L << 20);
        Duration purge = positive(c, "purge_interval", d.purgeInterval());
        c.requireAllRead();
        return new ResponsesSettings(store, visibility, retention, maxChain, maxTurn, purge);
    }

    /**
     * {@code cache: {tiers: [<factory> | {name, timeout, config}], enabled, ttl, scope, max_ttl,
     * max_entry_bytes, coalesce, coalesce_timeout}}; absent, or without tiers, nothing is cached.
     */
    private static CacheSettings cache(PluginConfig c, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            c.requireAllRead();
            return CacheSettings.NONE;
        }
        CacheSettings.ModelCacheSettings d = modelCache(c, CacheSettings.BUILT_IN);
        Duration maxTtl = positive(c, "max_ttl", Duration.ofDays(1));
        long maxEntry = range(c.keyPath("max_entry_bytes"), size(c, "max_entry_bytes", 1L << 20), 1024, 64L << 20);
        boolean coalesce = c.booleanValue("coalesce", false);
        Duration coalesceTimeout = positive(c, "coalesce_timeout", Duration.ofSeconds(30));
        Map<String, CacheSettings.ModelCacheSettings> keys = new LinkedHashMap<>();
        if (c.has("keys")) {
            if (!(m.get("keys") instanceof Map<?, ?> km)) {
                throw new ConfigException("cache.keys must be a map of virtual key id to {enabled, ttl, scope}");
            }
            PluginConfig kc = c.section("keys");
            for (Object id : km.keySet()) {
                PluginConfig one = kc.section(String.valueOf(id));
                keys.put(String.valueOf(id), modelCache(one, CacheSettings.ModelCacheSettings.INHERIT));
                one.requireAllRead();
            }
        }
        c.has("tiers");
        c.requireAllRead();
        Object tiers = m.get("tiers");
        if (tiers != null && !(tiers instanceof List)) {
            throw new ConfigException("cache.tiers must be a list of tiers, local first: a name such as caffeine, or {name, timeout, config}");
        }
        List<CacheSettings.Tier> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<?> list = tiers == null ? List.of() : (List<?>) tiers;
        for (int i = 0; i < list.size(); i++) {
            String path = "cache.tiers[" + i + "]";
            String name;
            Duration timeout = Duration.ofMillis(100);
            Map<String, Object> config = Map.of();
            if (list.get(i) instanceof String n) {
                name = n;
            } else if (list.get(i) instanceof Map<?, ?> tm) {
                PluginConfig t = PluginConfig.of(path, stringKeys(tm, path));
                name = t.string("name");
                timeout = positive(t, "timeout", timeout);
                t.has("config");
                t.requireAllRead();
                Object cfg = tm.get("config");
                if (cfg != null && !(cfg instanceof Map)) {
                    throw new ConfigException(path + ".config must be a map");
                }
                config = cfg == null ? Map.of() : stringKeys((Map<?, ?>) cfg, path + ".config");
            } else {
                throw new ConfigException(path + " must be a tier name such as caffeine, or {name, timeout, config}");
            }
            if (!names.add(name)) {
                throw new ConfigException(path + ": tier '" + name + "' is listed twice");
            }
            out.add(new CacheSettings.Tier(new ComponentSettings(name, config, path + ".config"), timeout));
        }
        return new CacheSettings(out, d, maxTtl, maxEntry, coalesce, coalesceTimeout, keys);
    }

    /** {@code enabled}, {@code ttl}, {@code scope} of a cache section; absent ones are {@code d}'s (null: inherited). */
    private static CacheSettings.ModelCacheSettings modelCache(PluginConfig c, CacheSettings.ModelCacheSettings d) {
        Boolean enabled = c.has("enabled") ? Boolean.valueOf(c.booleanValue("enabled", true)) : d.enabled();
        Duration ttl = c.has("ttl") ? positive(c, "ttl", Duration.ofHours(1)) : d.ttl();
        CacheSettings.Scope scope = d.scope();
        if (c.has("scope")) {
            String s = c.string("scope");
            scope = switch (s) {
                case "key" -> CacheSettings.Scope.KEY;
                case "team" -> CacheSettings.Scope.TEAM;
                case "global" -> CacheSettings.Scope.GLOBAL;
                default -> throw new ConfigException(c.keyPath("scope") + " must be key, team or global, not '" + s + "'");
            };
        }
        return new CacheSettings.ModelCacheSettings(enabled, ttl, scope);
    }

    private static final java.util.regex.Pattern SINK_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /**
     * {@code logging: {flush_grace, sinks: [{name: <factory>, id, config, queue, batch_size,
     * flush_interval, max_retries, retry_backoff, max_backoff, spill_max_bytes}]}}; absent, no record leaves the process.
     */
    private static LoggingSettings logging(PluginConfig l, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            l.requireAllRead();
            return LoggingSettings.none();
        }
        Duration grace = l.duration("flush_grace", Duration.ofSeconds(5));
        if (grace.isNegative()) {
            throw new ConfigException(l.keyPath("flush_grace") + " must not be negative");
        }
        boolean startTraces = l.booleanValue("start_traces", false);
        LoggingSettings.Bodies bodies = bodies(l.section("bodies"), m.get("bodies"));
        String usageFrom = l.string("usage_from", null);
        l.has("sinks");
        l.requireAllRead();
        Object sinks = m.get("sinks");
        List<LoggingSettings.Sink> out = new ArrayList<>();
        if (sinks != null && !(sinks instanceof List)) {
            throw new ConfigException("logging.sinks must be a list of {name, config}");
        }
        Set<String> ids = new java.util.HashSet<>();
        List<?> list = sinks == null ? List.of() : (List<?>) sinks;
        for (int i = 0; i < list.size(); i++) {
            String path = "logging.sinks[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> sm)) {
                throw new ConfigException(path + " must be a map with keys name, config");
            }
            PluginConfig c = PluginConfig.of(path, stringKeys(sm, path));
            String name = c.string("name");
            String id = c.string("id", name);
            if (!SINK_ID.matcher(id).matches()) {
                throw new ConfigException(c.keyPath("id") + " must be lower-case letters, digits, '-' or '_' (it names a folder), not '"
                        + id + "'");
            }
            if (!ids.add(id)) {
                throw new ConfigException(path + ": a second sink with id '" + id + "'; give one of them another id");
            }
            int queue = (int) range(c.keyPath("queue"), c.intValue("queue", 10_000), 1, 10_000_000);
            int batch = (int) range(c.keyPath("batch_size"), c.intValue("batch_size", 500), 1, 100_000);
            Duration flush = positive(c, "flush_interval", Duration.ofSeconds(1));
            int retries = (int) range(c.keyPath("max_retries"), c.intValue("max_retries", 3), 0, 100);
            Duration backoff = positive(c, "retry_backoff", Duration.ofMillis(200));
            Duration cap = positive(c, "max_backoff", Duration.ofSeconds(30));
            long spill = size(c, "spill_max_bytes", 1L << 30);
            c.has("config");
            c.requireAllRead();
            Object config = sm.get("config");
            if (config != null && !(config instanceof Map)) {
                throw new ConfigException(path + ".config must be a map");
            }
            ComponentSettings component = new ComponentSettings(name,
                    config == null ? Map.of() : stringKeys((Map<?, ?>) config, path + ".config"), path + ".config");
            out.add(new LoggingSettings.Sink(id, component, queue, batch, flush, retries, backoff, cap, spill));
        }
        if (usageFrom != null && !ids.contains(usageFrom)) {
            throw new ConfigException("logging.usage_from names no sink: '" + usageFrom + "'; the sinks are " + ids);
        }
        return new LoggingSettings(grace, out, startTraces, bodies, usageFrom);
    }

    /** {@code logging.bodies: {models: [...], keys: [...], max_bytes, redact: [{pattern, replace}]}}; absent: no bodies. */
    private static LoggingSettings.Bodies bodies(PluginConfig b, Object raw) {
        List<String> models = b.has("models") ? b.stringList("models") : List.of();
        List<String> keys = b.has("keys") ? b.stringList("keys") : List.of();
        long max = size(b, "max_bytes", LoggingSettings.Bodies.NONE.maxBytes());
        if (max < 1 || max > 16L << 20) {
            throw new ConfigException(b.keyPath("max_bytes") + " must be between 1 byte and 16MiB, not " + max);
        }
        List<dev.tollgate.kernel.records.BodyRedactor.Rule> rules = new ArrayList<>();
        Object list = b.has("redact") && raw instanceof Map<?, ?> bm ? bm.get("redact") : null;
        if (list != null && !(list instanceof List)) {
            throw new ConfigException("logging.bodies.redact must be a list of {pattern, replace}");
        }
        List<?> items = list == null ? List.of() : (List<?>) list;
        for (int i = 0; i < items.size(); i++) {
            String path = "logging.bodies.redact[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> rm)) {
                throw new ConfigException(path + " must be a map with keys pattern, replace");
            }
            PluginConfig r = PluginConfig.of(path, stringKeys(rm, path));
            String pattern = r.string("pattern");
            String replace = r.string("replace", "[redacted]");
            r.requireAllRead();
            try {
                rules.add(new dev.tollgate.kernel.records.BodyRedactor.Rule(Pattern.compile(pattern), replace));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new ConfigException(path + ".pattern is not a valid regular expression: " + e.getDescription());
            }
        }
        b.requireAllRead();
        return new LoggingSettings.Bodies(new java.util.HashSet<>(models), new java.util.HashSet<>(keys), (int) max, rules);
    }

    /** {@code state: {backend: <factory>, config: {...}}}; absent, state is kept in process. */
    private static ComponentSettings state(PluginConfig s, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            s.requireAllRead();
            return null;
        }
        String backend = s.string("backend");
        s.has("config");
        s.requireAllRead();
        Object config = m.get("config");
        if (config != null && !(config instanceof Map)) {
            throw new ConfigException("state.config must be a map");
        }
        return new ComponentSettings(backend, config == null ? Map.of() : stringKeys((Map<?, ?>) config, "state.config"), "state.config");
    }

    /**
     * Resolves the references in a component's raw configuration. A key listed in
     * {@code secretKeys} must be a single reference: a literal secret in the file is refused, and
     * the resolved value is registered with {@link Secrets}, so no log line shows it.
     */
    public Map<String, Object> resolveComponentConfig(String path, Map<String, Object> raw, Set<String> secretKeys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = path + "." + e.getKey();
            Object value = e.getValue();
            if (secretKeys.contains(e.getKey()) && value instanceof List<?> list) {
                List<String> secrets = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    secrets.add(resolveSecret(key + "[" + i + "]", list.get(i)));
                }
                out.put(e.getKey(), List.copyOf(secrets));
            } else if (secretKeys.contains(e.getKey())) {
                out.put(e.getKey(), resolveSecret(key, value));
            } else {
                out.put(e.getKey(), resolveValue(key, value));
            }
        }
        return out;
    }

    /** One secret: a single reference (a list of secrets has one per element), registered so no log line shows it. */
    private String resolveSecret(String key, Object value) {
        if (!(value instanceof String s) || !References.isSingleReference(s)) {
            throw new ConfigException(key + " is a secret: write it as a reference such as ${env:NAME} or "
                    + "${file:/path/to/secret}, never as a literal value");
        }
        String secret = resolveTracked(key, s);
        Secrets.register(secret);
        Secrets.register(secret.strip());
        return secret;
    }

    /**
     * A component's configuration, resolved as {@link #resolveComponentConfig} does, whose
     * messages never show the value of a secret key nor of any key whose value holds a reference.
     */
    public PluginConfig componentConfig(String path, Map<String, Object> raw, Set<String> secretKeys) {
        Map<String, Object> resolved = resolveComponentConfig(path, raw, secretKeys);
        Set<String> hidden = new HashSet<>(secretKeys);
        raw.forEach((k, v) -> referencedPaths(k, v, hidden));
        return PluginConfig.of(path, resolved, hidden);
    }

    /** Adds {@code path} and the dotted paths of its nested map keys whose values hold a reference. */
    private static boolean referencedPaths(String path, Object raw, Set<String> out) {
        boolean found = false;
        if (raw instanceof String s) {
            found = References.containsReference(s);
        } else if (raw instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                found |= referencedPaths(path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (raw instanceof List<?> l) {
            for (Object o : l) {
                found |= referencedPaths(path, o, out);
            }
        }
        if (found) {
            out.add(path);
        }
        return found;
    }

    /**
     * {@code e} with every value this loader resolved from the environment or a file replaced by
     * the reference as written ({@code ${env:NAME}}), for messages that plugins build themselves.
     * A value is replaced where it does not touch a letter or digit, so short values do not mangle
     * the words around them.
     */
    public ConfigException showReferences(ConfigException e) {
        String message = e.getMessage();
        if (message == null || resolvedToWritten.isEmpty()) {
            return e;
        }
        String shown = message;
        List<Map.Entry<String, String>> byLength = new ArrayList<>(resolvedToWritten.entrySet());
        byLength.sort(Comparator.comparingInt((Map.Entry<String, String> x) -> x.getKey().length()).reversed());
        for (Map.Entry<String, String> r : byLength) {
            shown = Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(r.getKey()) + "(?![A-Za-z0-9])")
                    .matcher(shown).replaceAll(Matcher.quoteReplacement(r.getValue()));
        }
        return shown.equals(message) ? e : new ConfigException(shown);
    }

    /** Resolves {@code written}, remembering what came from outside the file for {@link #showReferences}. */
    private String resolveTracked(String key, String written) {
        boolean[] external = {false};
        String value = references.resolve(key, written, r -> {
            if (r.external()) {
                external[0] = true;
                remember(r.value(), r.written());
            }
        });
        if (external[0]) {
            remember(value, written);
        }
        return value;
    }

    private void remember(String value, String written) {
        if (!value.isEmpty() && !value.equals(written)) {
            resolvedToWritten.putIfAbsent(value, written);
        }
    }

    /** {@code 'value'}, or the reference it came from when it is not written in the file. */
    private static String shown(String written, String value) {
        return written.equals(value) ? "'" + value + "'" : "the value of " + written;
    }

    private Object resolveValue(String key, Object value) {
        if (value instanceof String s) {
            return References.containsReference(s) ? resolveTracked(key, s) : s;
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
        int port = port(s, d.port());
        int ioThreads = (int) range(s.path() + ".io_threads", s.intValue("io_threads", d.ioThreads()), 0, 1024);
        long maxRequest = size(s, "max_request_bytes", d.maxRequestBytes());
        long maxHeader = size(s, "max_header_bytes", d.maxHeaderBytes());
        long maxBuffered = size(s, "max_buffered_request_bytes", d.maxBufferedRequestBytes());
        range(s.path() + ".max_request_bytes", maxRequest, 1024, 1L << 30);
        range(s.path() + ".max_header_bytes", maxHeader, 1024, 1L << 20);
        range(s.path() + ".max_buffered_request_bytes", maxBuffered, 64 * 1024, 1L << 40);
        int maxConnections = (int) range(s.path() + ".max_connections", s.intValue("max_connections", d.maxConnections()), 1, 1_000_000);
        Duration start = positive(s, "request_start_timeout", d.requestStartTimeout());
        Duration header = positive(s, "header_timeout", d.headerTimeout());
        Duration body = positive(s, "body_read_timeout", d.bodyReadTimeout());
        Duration idle = positive(s, "idle_timeout", d.idleTimeout());
        Duration send = positive(s, "send_timeout", d.sendTimeout());
        Duration ttft = s.duration("ttft_timeout", d.ttftTimeout());
        Duration grace = s.duration("shutdown_grace", d.shutdownGrace());
        Duration streamIdle = positive(s, "stream_idle_timeout", d.streamIdleTimeout());
        Duration request = positive(s, "request_timeout", d.requestTimeout());
        Duration admission = positive(s, "admission_timeout", d.admissionTimeout());
        ServerSettings.Auth auth = switch (s.string("auth", "keys")) {
            case "keys" -> ServerSettings.Auth.KEYS;
            case "none" -> ServerSettings.Auth.NONE;
            default -> throw new ConfigException(s.path() + ".auth must be keys or none, not '" + s.string("auth", "keys") + "'");
        };
        s.requireAllRead();
        return new ServerSettings(host, port, ioThreads, maxRequest, (int) maxHeader, maxBuffered, maxConnections, start, header, body,
                idle, send, ttft, grace, streamIdle, request, admission, auth);
    }

    /**
     * The {@code admin} section. The master key is a secret: only a reference is accepted, its
     * value is registered with {@link Secrets}, and an empty value means no master key.
     */
    private AdminSettings admin(PluginConfig a) {
        String written = a.string("master_key", "");
        a.requireAllRead();
        if (written.isEmpty()) {
            return AdminSettings.NONE;
        }
        String key = a.path() + ".master_key";
        if (!References.isSingleReference(written)) {
            throw new ConfigException(key + " is a secret: write it as a reference such as ${env:TOLLGATE_MASTER_KEY} or "
                    + "${file:/path/to/secret}, never as a literal value");
        }
        String value = resolveTracked(key, written).strip();
        if (value.isEmpty()) {
            return AdminSettings.NONE;
        }
        Secrets.register(value);
        if (value.length() < AdminSettings.MIN_MASTER_KEY_LENGTH) {
            throw new ConfigException(key + " is shorter than " + AdminSettings.MIN_MASTER_KEY_LENGTH
                    + " characters; use a random value such as the output of 'openssl rand -base64 32'");
        }
        return new AdminSettings(value);
    }

    /** The {@code governance} section; {@code data_dir} is relative to the installation folder, like {@code plugins_dir}. */
    private GovernanceSettings governance(PluginConfig g, Object raw) {
        Path dataDir = home.resolve(g.optionalString("data_dir").map(v -> resolveTracked(g.path() + ".data_dir", v)).orElse("data"))
                .normalize();
        String durability = g.string("durability", "process_crash");
        if (!durability.equals("process_crash") && !durability.equals("power_loss")) {
            throw new ConfigException(g.path() + ".durability must be process_crash or power_loss, not " + durability);
        }
        String zone = g.string("time_zone", "UTC");
        ZoneId timeZone;
        try {
            timeZone = ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            throw new ConfigException(g.path() + ".time_zone must be a time zone such as UTC or Europe/Berlin, not " + zone);
        }
        boolean allowUnpriced = g.booleanValue("allow_unpriced", false);
        Duration lease = g.duration("reservation_lease", GovernanceSettings.DEFAULT_LEASE);
        if (lease.compareTo(Duration.ofSeconds(10)) < 0 || lease.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException(g.path() + ".reservation_lease must be between 10s and 24h, not " + lease);
        }
        int outputTokens = (int) range(g.path() + ".default_output_tokens",
                g.intValue("default_output_tokens", GovernanceSettings.DEFAULT_OUTPUT_TOKENS), 1, 10_000_000);
        Duration refresh = g.duration("refresh_interval", GovernanceSettings.DEFAULT_REFRESH);
        if (refresh.compareTo(Duration.ofSeconds(1)) < 0 || refresh.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(g.path() + ".refresh_interval must be between 1s and 1h, not " + refresh);
        }
        OnStateOutage onOutage = onStateOutage(g.section("on_state_outage"));
        Map<String, Limits> modelLimits = new LinkedHashMap<>();
        PluginConfig ml = g.section("model_limits");
        if (g.has("model_limits") && raw instanceof Map<?, ?> section && section.get("model_limits") instanceof Map<?, ?> byModel) {
            for (Object model : byModel.keySet()) {
                modelLimits.put(String.valueOf(model), limits(ml.section(String.valueOf(model))));
            }
        }
        ml.requireAllRead();
        Limits endUser = g.has("end_user_limits") ? limits(g.section("end_user_limits")) : Limits.NONE;
        ComponentSettings store = governanceStore(g.section("store"), raw instanceof Map<?, ?> gm ? gm.get("store") : null);
        g.requireAllRead();
        return new GovernanceSettings(dataDir, durability.equals("power_loss"), timeZone, allowUnpriced, lease, outputTokens,
                modelLimits, refresh, onOutage, endUser, store);
    }

    /**
     * {@code governance.store: {backend: <factory>, config: {...}}}; absent, or {@code backend: embedded},
     * keys, teams and spend stay in the embedded store under {@code data_dir}.
     */
    private static ComponentSettings governanceStore(PluginConfig s, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            if (raw != null) {
                throw new ConfigException(s.path() + " must be a map such as {backend: postgres, config: {...}}");
            }
            s.requireAllRead();
            return null;
        }
        String backend = s.string("backend");
        s.has("config");
        s.requireAllRead();
        Object config = m.get("config");
        if (config != null && !(config instanceof Map)) {
            throw new ConfigException(s.path() + ".config must be a map");
        }
        if (backend.equals(EMBEDDED_STORE)) {
            if (config != null && !((Map<?, ?>) config).isEmpty()) {
                throw new ConfigException(s.path() + ".config: the embedded store takes no configuration (see governance.data_dir "
                        + "and governance.durability)");
            }
            return null;
        }
        String path = s.path() + ".config";
        return new ComponentSettings(backend, config == null ? Map.of() : stringKeys((Map<?, ?>) config, path), path);
    }

    /** The name of the built-in store in {@code governance.store.backend}. */
    public static final String EMBEDDED_STORE = "embedded";

    /** {@code governance.on_state_outage: {rate_limits: open|closed, budgets: open|closed}}; absent keys keep their defaults. */
    private static OnStateOutage onStateOutage(PluginConfig o) {
        OnStateOutage d = OnStateOutage.DEFAULTS;
        OnStateOutage.Mode rateLimits = outageMode(o, "rate_limits", d.rateLimits());
        OnStateOutage.Mode budgets = outageMode(o, "budgets", d.budgets());
        o.requireAllRead();
        return new OnStateOutage(rateLimits, budgets);
    }

    private static OnStateOutage.Mode outageMode(PluginConfig o, String key, OnStateOutage.Mode dflt) {
        String v = o.string(key, dflt.name().toLowerCase(java.util.Locale.ROOT));
        return switch (v) {
            case "open" -> OnStateOutage.Mode.OPEN;
            case "closed" -> OnStateOutage.Mode.CLOSED;
            default -> throw new ConfigException(o.keyPath(key) + " must be open (admit unenforced) or closed (refuse with 503), not "
                    + v);
        };
    }

    /** {@code {rpm, tpm, max_parallel, budget: {usd, period}}}, as the admin API takes them. */
    private static Limits limits(PluginConfig l) {
        Long rpm = l.has("rpm") ? nonNegative(l, "rpm", l.longValue("rpm", 0)) : null;
        Long tpm = l.has("tpm") ? nonNegative(l, "tpm", l.longValue("tpm", 0)) : null;
        Integer parallel = l.has("max_parallel") ? (int) range(l.keyPath("max_parallel"), l.intValue("max_parallel", 0), 0,
                Integer.MAX_VALUE) : null;
        Budget budget = null;
        if (l.has("budget")) {
            PluginConfig b = l.section("budget");
            String usd = b.string("usd");
            long micros;
            try {
                java.math.BigDecimal v = new java.math.BigDecimal(usd.strip());
                if (v.signum() < 0 || v.stripTrailingZeros().scale() > 6) {
                    throw new NumberFormatException();
                }
                micros = v.movePointRight(6).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new ConfigException(b.keyPath("usd") + " must be a non-negative amount of US dollars with at most 6 decimals, "
                        + "such as \"5.00\", not " + usd);
            }
            String period = b.string("period");
            Period p;
            try {
                p = Period.valueOf(period.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(b.keyPath("period") + " must be daily, weekly, monthly or none, not " + period);
            }
            b.requireAllRead();
            budget = new Budget(micros, p);
        }
        l.requireAllRead();
        return Limits.builder().rpm(rpm).tpm(tpm).maxParallel(parallel).budget(budget).build();
    }

    private static long nonNegative(PluginConfig c, String key, long v) {
        if (v < 0) {
            throw new ConfigException(c.keyPath(key) + " must not be negative, not " + v);
        }
        return v;
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
        return References.containsReference(v) ? resolveTracked(s.path() + "." + key, v) : v;
    }

    private int port(PluginConfig s, int dflt) {
        String written = s.string("port", String.valueOf(dflt));
        String value = References.containsReference(written) ? resolveTracked(s.path() + ".port", written) : written;
        String key = s.path() + ".port";
        try {
            long port = Long.parseLong(value.trim());
            if (port >= 0 && port <= 65535) {
                return (int) port;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value as written
        }
        throw new ConfigException(key + " must be a port number between 0 and 65535, not " + shown(written, value));
    }

    private Path pluginsDirectory(String configured) {
        if (configured == null) {
            return home.resolve("plugins").normalize();
        }
        return home.resolve(configured).normalize();
    }

    /**
     * A configured path is relative to the configuration's folder and must exist. Without one, the
     * models.yaml beside the configuration is used, else the installation's {@code conf/models.yaml}
     * (the shipped catalog), so a configuration kept elsewhere still gets the shipped prices.
     */
    private ModelsFile modelsFile(String configured, Path source) {
        Path folder = source == null ? home : source.toAbsolutePath().getParent();
        if (configured != null) {
            return new ModelsFile(folder.resolve(configured).normalize(), true);
        }
        if (source == null) {
            return ModelsFile.NONE;
        }
        Path beside = folder.resolve("models.yaml");
        Path shipped = home.resolve("conf").resolve("models.yaml").toAbsolutePath().normalize();
        return !Files.exists(beside) && Files.exists(shipped) ? new ModelsFile(shipped, false) : new ModelsFile(beside, false);
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
            RetrySettings retry = retry(model.section("retry"), RetrySettings.DEFAULTS);
            RoutingSettings routing = routing(path, model, body);
            boolean alternatives = body.get("deployments") instanceof List<?> ds && ds.size() > 1 || !routing.fallbacks().isEmpty();
            CircuitSettings circuit = circuit(model.section("circuit"), alternatives ? CircuitSettings.DEFAULTS : CircuitSettings.NO_ALTERNATIVE);
            CacheSettings.ModelCacheSettings cache = CacheSettings.ModelCacheSettings.INHERIT;
            if (model.has("cache")) {
                PluginConfig cs = model.section("cache");
                cache = modelCache(cs, CacheSettings.ModelCacheSettings.INHERIT);
                cs.requireAllRead();
            }
            model.requireAllRead();
            if (!(body.get("deployments") instanceof List<?> list) || list.isEmpty()) {
                throw new ConfigException(path + ".deployments must be a non-empty list of {provider, model, config}");
            }
            List<DeploymentSettings> deployments = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                deployments.add(deployment(name, i, list.get(i), server, retry, circuit));
            }
            out.put(name, new ModelSettings(name, deployments, routing, cache));
        }
        return out;
    }

    /**
     * {@code routing: <strategy>} or {@code {name, config}}, {@code fallbacks: [<model> | {model, on}]},
     * {@code cooldown_wait}, {@code on_disconnect}.
     */
    private static RoutingSettings routing(String path, PluginConfig model, Map<?, ?> body) {
        ComponentSettings strategy = null;
        if (model.has("routing")) {
            Object r = body.get("routing");
            if (r instanceof String name) {
                strategy = new ComponentSettings(name, Map.of(), path + ".routing");
            } else if (r instanceof Map<?, ?> rm) {
                PluginConfig rc = PluginConfig.of(path + ".routing", stringKeys(rm, path + ".routing"));
                String name = rc.string("name");
                rc.has("config");
                rc.requireAllRead();
                Object cfg = rm.get("config");
                if (cfg != null && !(cfg instanceof Map)) {
                    throw new ConfigException(path + ".routing.config must be a map");
                }
                strategy = new ComponentSettings(name, cfg == null ? Map.of() : stringKeys((Map<?, ?>) cfg, path + ".routing.config"),
                        path + ".routing.config");
            } else {
                throw new ConfigException(path + ".routing must be a strategy name such as least-latency, or {name, config}");
            }
        }
        List<RoutingSettings.Fallback> fallbacks = new ArrayList<>();
        if (model.has("fallbacks")) {
            if (!(body.get("fallbacks") instanceof List<?> fl)) {
                throw new ConfigException(path + ".fallbacks must be a list of {model, on: [...]}");
            }
            for (int i = 0; i < fl.size(); i++) {
                String fp = path + ".fallbacks[" + i + "]";
                Object f = fl.get(i);
                if (f instanceof String target) {
                    fallbacks.add(new RoutingSettings.Fallback(target, RoutingSettings.DEFAULT_ON));
                    continue;
                }
                if (!(f instanceof Map<?, ?> fm)) {
                    throw new ConfigException(fp + " must be a model name or {model, on: [...]}");
                }
                PluginConfig fc = PluginConfig.of(fp, stringKeys(fm, fp));
                String target = fc.string("model");
                Set<String> on = fc.has("on") ? new java.util.LinkedHashSet<>(fc.stringList("on")) : RoutingSettings.DEFAULT_ON;
                fc.requireAllRead();
                for (String c : on) {
                    if (!RoutingSettings.CLASSES.contains(c)) {
                        throw new ConfigException(fp + ".on: unknown failure class '" + c + "'; known: "
                                + new java.util.TreeSet<>(RoutingSettings.CLASSES));
                    }
                }
                if (on.isEmpty()) {
                    throw new ConfigException(fp + ".on must name at least one failure class");
                }
                fallbacks.add(new RoutingSettings.Fallback(target, on));
            }
        }
        Duration wait = model.duration("cooldown_wait", RoutingSettings.DEFAULTS.cooldownWait());
        if (wait.isNegative()) {
            throw new ConfigException(model.keyPath("cooldown_wait") + " must not be negative");
        }
        String disconnect = model.string("on_disconnect", "cancel");
        RoutingSettings.Disconnect onDisconnect = switch (disconnect) {
            case "cancel" -> RoutingSettings.Disconnect.CANCEL;
            case "drain" -> RoutingSettings.Disconnect.DRAIN;
            default -> throw new ConfigException(model.keyPath("on_disconnect") + " must be cancel or drain, not '" + disconnect + "'");
        };
        return new RoutingSettings(strategy, fallbacks, wait, onDisconnect);
    }

    /** {@code retry: {max_attempts, backoff, max_backoff, max_retry_after}}, each defaulting to {@code d}'s. */
    private static RetrySettings retry(PluginConfig r, RetrySettings d) {
        int attempts = r.intValue("max_attempts", d.maxAttempts());
        if (attempts < 1 || attempts > 10) {
            throw new ConfigException(r.keyPath("max_attempts") + " must be between 1 and 10, not " + attempts);
        }
        Duration backoff = r.duration("backoff", d.backoff());
        Duration maxBackoff = r.duration("max_backoff", d.maxBackoff());
        Duration maxRetryAfter = r.duration("max_retry_after", d.maxRetryAfter());
        if (backoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new ConfigException(r.path() + ": backoff, max_backoff and max_retry_after must not be negative");
        }
        r.requireAllRead();
        return new RetrySettings(attempts, backoff, maxBackoff, maxRetryAfter);
    }

    /** {@code circuit: {failures, window, cooldown, max_cooldown}}, each defaulting to {@code d}'s. */
    private static CircuitSettings circuit(PluginConfig c, CircuitSettings inherited) {
        // a circuit section given for a model that has none by default starts from the usual defaults
        CircuitSettings d = inherited.maxCooldown().isZero()
                && (c.has("failures") || c.has("window") || c.has("cooldown") || c.has("max_cooldown")) ? CircuitSettings.DEFAULTS : inherited;
        if (d.maxCooldown().isZero()) {
            c.requireAllRead();
            return d;
        }
        int failures = c.intValue("failures", d.failures());
        if (failures < 0 || failures > 1000) {
            throw new ConfigException(c.keyPath("failures") + " must be between 0 (never open on failures) and 1000, not " + failures);
        }
        Duration window = positive(c, "window", d.window());
        Duration cooldown = positive(c, "cooldown", d.cooldown());
        Duration maxCooldown = positive(c, "max_cooldown", d.maxCooldown());
        c.requireAllRead();
        return new CircuitSettings(failures, window, cooldown, maxCooldown);
    }

    private DeploymentSettings deployment(String model, int index, Object raw, ServerSettings server, RetrySettings modelRetry,
            CircuitSettings modelCircuit) {
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
        Duration ttft = positive(d, "ttft_timeout", server.ttftTimeout());
        Duration streamIdle = positive(d, "stream_idle_timeout", server.streamIdleTimeout());
        Duration timeout = positive(d, "timeout", server.requestTimeout());
        int tier = d.intValue("tier", 0);
        if (tier < 0 || tier > 100) {
            throw new ConfigException(path + ".tier must be between 0 and 100, not " + tier);
        }
        RetrySettings retry = retry(d.section("retry"), modelRetry);
        CircuitSettings circuit = circuit(d.section("circuit"), modelCircuit);
        d.has("config");
        d.has("model_info");
        d.requireAllRead();
        Object config = m.get("config");
        if (config != null && !(config instanceof Map)) {
            throw new ConfigException(path + ".config must be a map");
        }
        Map<String, Object> cfg = config == null ? Map.of() : stringKeys((Map<?, ?>) config, path + ".config");
        Object info = m.get("model_info");
        if (info != null && !(info instanceof Map)) {
            throw new ConfigException(path + ".model_info must be a map with keys such as input, output, context_window");
        }
        CatalogEntry modelInfo = info == null ? CatalogEntry.EMPTY
                : CatalogEntry.parse(path + ".model_info", stringKeys((Map<?, ?>) info, path + ".model_info"));
        return new DeploymentSettings(model + "#" + index, provider, upstream, weight, ttft, streamIdle, timeout, cfg, path + ".config",
                modelInfo, tier, retry, circuit);
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

    private static Duration positive(PluginConfig c, String key, Duration dflt) {
        Duration v = c.duration(key, dflt);
        if (v.isZero() || v.isNegative()) {
            throw new ConfigException(c.keyPath(key) + " must be a positive duration such as 10s, not " + v);
        }
        return v;
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

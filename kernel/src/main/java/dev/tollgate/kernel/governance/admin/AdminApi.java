package dev.tollgate.kernel.governance.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.StoreException;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.governance.admin.AdminJson.Fields;
import dev.tollgate.kernel.governance.auth.MasterKey;
import dev.tollgate.kernel.governance.auth.VirtualKeys;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin/}: teams, keys and spend, behind the master key. Every call
 * blocks on the {@link GovernanceStore}: run it on a worker or virtual thread, never an I/O
 * thread. Changes are serialized, and each one replaces the {@link GovernanceDirectory} snapshot
 * before it answers, so a key created is usable as soon as its secret is returned.
 */
public final class AdminApi {

    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final Set<String> TEAM_FIELDS = Set.of("name", "parent_id", "limits", "metadata");
    private static final Set<String> KEY_CREATE_FIELDS = Set.of("name", "team_id", "models", "expires_at", "metadata", "limits", "enabled");
    private static final Set<String> KEY_UPDATE_FIELDS = KEY_CREATE_FIELDS;

    private final GovernanceStore store;
    private final GovernanceDirectory directory;
    private final MasterKey masterKey;
    private final Clock clock;
    private final Object changes = new Object();

    /** @param masterKey the master key, or {@code null}: then every request gets 403 saying how to enable the API */
    private volatile Runnable changed = () -> { };

    public AdminApi(GovernanceStore store, GovernanceDirectory directory, MasterKey masterKey, Clock clock) {
        this.store = store;
        this.directory = directory;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    /**
     * Answers one request (blocking); every failure is an OpenAI-shaped error body. A store that
     * fails (its database is down) gets 503 {@code governance_store_unavailable}: nothing changed.
     */
    public AdminResponse handle(AdminRequest r) {
        try {
            authorize(r);
            return route(r);
        } catch (GatewayException e) {
            return new AdminResponse(e.status(), ErrorFormat.OPENAI.body(e));
        } catch (StoreException e) {
            log.warn("admin {} {}: the governance store failed: {}", r.method(), AdminJson.printable(r.path()), e.getMessage());
            GatewayException unavailable = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "governance_store_unavailable")
                    .message("the store of keys, teams and spend cannot be reached; nothing was changed, retry later").build();
            return new AdminResponse(503, ErrorFormat.OPENAI.body(unavailable));
        }
    }

    private void authorize(AdminRequest r) {
        if (masterKey == null) {
            throw GatewayException.builder(ErrorType.CLIENT, 403, "admin_api_disabled")
                    .message("the admin API is off: set admin.master_key in the configuration (for example "
                            + "${env:TOLLGATE_MASTER_KEY}) and restart").build();
        }
        String presented = null;
        String authorization = r.header().apply("authorization");
        if (authorization != null && authorization.strip().regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.strip().substring(7).strip();
        } else if (r.header().apply("x-api-key") != null) {
            presented = r.header().apply("x-api-key").strip();
        }
        if (presented == null || presented.isEmpty()) {
            throw GatewayException.builder(ErrorType.CLIENT, 401, "missing_api_key")
                    .message("the admin API needs the master key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'")
                    .build();
        }
        if (!masterKey.matches(presented)) {
            throw GatewayException.builder(ErrorType.CLIENT, 401, "invalid_api_key").message("the master key is not valid").build();
        }
    }

    private AdminResponse route(AdminRequest r) {
        String[] p = r.path().substring("/admin/".length()).split("/", -1);
        String m = r.method();
        if (p.length == 1 && p[0].equals("teams")) {
            return switch (allow(m, "GET", "POST")) {
                case "GET" -> ok(AdminJson.list(store.teams().stream().map(AdminJson::team).toList()));
                default -> createTeam(r.body());
            };
        }
        if (p.length == 2 && p[0].equals("teams")) {
            return switch (allow(m, "GET", "PATCH", "DELETE")) {
                case "GET" -> ok(AdminJson.team(store.team(p[1]).orElseThrow(() -> notFound("team", p[1]))));
                case "PATCH" -> updateTeam(p[1], r.body());
                default -> deleteTeam(p[1]);
            };
        }
        if (p.length == 1 && p[0].equals("keys")) {
            return switch (allow(m, "GET", "POST")) {
                case "GET" -> ok(AdminJson.list(store.keys().stream().map(AdminJson::key).toList()));
                default -> createKey(r.body());
            };
        }
        if (p.length == 2 && p[0].equals("keys")) {
            return switch (allow(m, "GET", "PATCH")) {
                case "GET" -> ok(AdminJson.key(store.key(p[1]).orElseThrow(() -> notFound("key", p[1]))));
                default -> updateKey(p[1], r.body());
            };
        }
        if (p.length == 3 && p[0].equals("keys") && p[2].equals("revoke")) {
            allow(m, "POST");
            return revokeKey(p[1]);
        }
        if (p.length == 1 && p[0].equals("spend")) {
            allow(m, "GET");
            return spend(r.query(), false);
        }
        // usage: the same report, from the sink logging.usage_from names when there is one (every request), else the ledger
        if (p.length == 1 && p[0].equals("usage")) {
            allow(m, "GET");
            return spend(r.query(), true);
        }
        throw GatewayException.builder(ErrorType.CLIENT, 404, "unknown_url")
                .message("unknown admin URL " + AdminJson.printable(r.path())
                        + "; see /admin/teams, /admin/keys, /admin/spend, /admin/usage").build();
    }

    private static String allow(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return a;
            }
        }
        throw GatewayException.builder(ErrorType.CLIENT, 405, "method_not_allowed")
                .message(AdminJson.printable(method) + " is not allowed here; use " + String.join(", ", allowed)).build();
    }

    private AdminResponse createTeam(byte[] body) {
        Fields f = AdminJson.object(body, TEAM_FIELDS);
        String name = f.name("name");
        String parent = f.optionalString("parent_id");
        Limits limits = f.limits("limits");
        Map<String, String> metadata = f.metadata("metadata");
        synchronized (changes) {
            if (parent != null && store.team(parent).isEmpty()) {
                throw AdminJson.bad("parent_id", "no team has the id '" + AdminJson.printable(parent) + "'");
            }
            Team t = Team.builder().id(VirtualKeys.newId("team")).name(name).parentId(parent).limits(limits).metadata(metadata)
                    .createdAt(clock.instant()).build();
            store.createTeam(t);
            reload();
            log.info("admin: created team {} ({})", t.id(), AdminJson.printable(name));
            return new AdminResponse(201, bytes(AdminJson.team(t)));
        }
    }

    private AdminResponse updateTeam(String id, byte[] body) {
        Fields f = AdminJson.object(body, TEAM_FIELDS);
        synchronized (changes) {
            Team old = store.team(id).orElseThrow(() -> notFound("team", id));
            String name = f.has("name") ? f.name("name") : old.name();
            String parent = f.has("parent_id") ? f.optionalString("parent_id") : old.parentId();
            if (parent != null && !parent.equals(old.parentId())) {
                if (store.team(parent).isEmpty()) {
                    throw AdminJson.bad("parent_id", "no team has the id '" + AdminJson.printable(parent) + "'");
                }
                if (directory.teamPath(parent).stream().anyMatch(t -> t.id().equals(id))) {
                    throw AdminJson.bad("parent_id", "a team cannot be moved below itself or one of its sub-teams");
                }
            }
            Limits limits = f.has("limits") ? f.limits("limits") : old.limits();
            Map<String, String> metadata = f.has("metadata") ? f.metadata("metadata") : old.metadata();
            Team t = Team.builder().id(id).name(name).parentId(parent).limits(limits).metadata(metadata).createdAt(old.createdAt()).build();
            if (!store.updateTeam(t)) {
                throw notFound("team", id);
            }
            reload();
            log.info("admin: changed team {}", id);
            return ok(AdminJson.team(t));
        }
    }

    private AdminResponse deleteTeam(String id) {
        synchronized (changes) {
            store.team(id).orElseThrow(() -> notFound("team", id));
            long keys = store.keys().stream().filter(k -> id.equals(k.teamId())).count();
            long teams = store.teams().stream().filter(t -> id.equals(t.parentId())).count();
            if (keys > 0 || teams > 0) {
                throw GatewayException.builder(ErrorType.CLIENT, 409, "team_not_empty")
                        .message("team " + id + " still has " + keys + " key(s) and " + teams
                                + " sub-team(s); move or revoke them first").build();
            }
            if (!store.deleteTeam(id)) {
                throw notFound("team", id);
            }
            reload();
            log.info("admin: deleted team {}", id);
            ObjectNode o = AdminJson.MAPPER.createObjectNode();
            o.put("id", id);
            o.put("deleted", true);
            return ok(o);
        }
    }

    private AdminResponse createKey(byte[] body) {
        Fields f = AdminJson.object(body, KEY_CREATE_FIELDS);
        String name = f.name("name");
        String team = f.optionalString("team_id");
        Set<String> models = f.strings("models");
        Instant expires = f.instant("expires_at");
        Map<String, String> metadata = f.metadata("metadata");
        Limits limits = f.limits("limits");
        boolean enabled = !f.has("enabled") || f.bool("enabled");
        String secret = VirtualKeys.generate();
        synchronized (changes) {
            requireTeam(team);
            VirtualKey k = VirtualKey.builder().id(VirtualKeys.newId("key")).name(name).teamId(team)
                    .prefix(VirtualKeys.prefixOf(secret)).hash(VirtualKeys.hash(secret))
                    .allowedModels(models).expiresAt(expires).metadata(metadata).enabled(enabled).limits(limits)
                    .createdAt(clock.instant()).build();
            store.createKey(k);
            reload();
            log.info("admin: created key {} ({}, {}…) in team {}", k.id(), AdminJson.printable(name), k.prefix(), team);
            ObjectNode o = AdminJson.MAPPER.createObjectNode();
            o.put("id", k.id());
            o.put("key", secret);
            o.setAll(AdminJson.key(k));
            return new AdminResponse(201, bytes(o));
        }
    }

    private AdminResponse updateKey(String id, byte[] body) {
        Fields f = AdminJson.object(body, KEY_UPDATE_FIELDS);
        synchronized (changes) {
            VirtualKey old = store.key(id).orElseThrow(() -> notFound("key", id));
            String name = f.has("name") ? f.name("name") : old.name();
            String team = f.has("team_id") ? f.optionalString("team_id") : old.teamId();
            if (f.has("team_id")) {
                requireTeam(team);
            }
            VirtualKey k = VirtualKey.builder().id(id).name(name).teamId(team).prefix(old.prefix()).hash(old.hash())
                    .allowedModels(f.has("models") ? f.strings("models") : old.allowedModels())
                    .expiresAt(f.has("expires_at") ? f.instant("expires_at") : old.expiresAt())
                    .metadata(f.has("metadata") ? f.metadata("metadata") : old.metadata())
                    .enabled(f.has("enabled") ? f.bool("enabled") : old.enabled())
                    .revokedAt(old.revokedAt())
                    .limits(f.has("limits") ? f.limits("limits") : old.limits())
                    .createdAt(old.createdAt()).build();
            if (!store.updateKey(k)) {
                throw notFound("key", id);
            }
            reload();
            log.info("admin: changed key {}", id);
            return ok(AdminJson.key(k));
        }
    }

    private AdminResponse revokeKey(String id) {
        synchronized (changes) {
            VirtualKey old = store.key(id).orElseThrow(() -> notFound("key", id));
            VirtualKey k = old.revokedAt() != null ? old
                    : old.toBuilder().revokedAt(clock.instant()).build();
            if (k != old && !store.updateKey(k)) {
                throw notFound("key", id);
            }
            reload();
            log.info("admin: revoked key {}", id);
            return ok(AdminJson.key(k));
        }
    }

    private volatile dev.tollgate.spi.sink.SpendReports usageFrom;
    private volatile String usageSource = "ledger";

    /** {@code /admin/usage} answers from {@code reports} (a log sink's database), named {@code source} in the answer. */
    public void usageFrom(String source, dev.tollgate.spi.sink.SpendReports reports) {
        this.usageSource = source;
        this.usageFrom = reports;
    }

    private AdminResponse spend(String query, boolean usage) {
        Map<String, String> q = query(query, Set.of("group_by", "from", "to"));
        String groupBy = q.getOrDefault("group_by", "key");
        SpendQuery.GroupBy g = switch (groupBy) {
            case "key" -> SpendQuery.GroupBy.KEY;
            case "team" -> SpendQuery.GroupBy.TEAM;
            case "model" -> SpendQuery.GroupBy.MODEL;
            case "day" -> SpendQuery.GroupBy.DAY;
            default -> throw AdminJson.bad("group_by", "must be key, team, model or day");
        };
        Instant from = time("from", q.get("from"));
        Instant to = time("to", q.get("to"));
        ObjectNode o = AdminJson.MAPPER.createObjectNode();
        o.put("group_by", groupBy);
        String source = usage && usageFrom != null ? usageSource : "ledger";
        o.put("source", source);
        o.put("from", from == null ? null : from.toString());
        o.put("to", to == null ? null : to.toString());
        ArrayNode data = o.putArray("data");
        java.util.List<SpendQuery.Row> rows;
        if (usage && usageFrom != null) {
            try {
                rows = usageFrom.spend(new SpendQuery(g, from, to));
            } catch (Exception e) {
                throw GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "usage_source_unavailable")
                        .message("the usage source '" + source + "' could not answer; GET /admin/spend answers from the ledger")
                        .retryAfter(java.time.Duration.ofSeconds(5)).build();
            }
        } else {
            rows = store.spend(new SpendQuery(g, from, to));
        }
        for (SpendQuery.Row row : rows) {
            ObjectNode d = data.addObject();
            d.put("group", row.group());
            d.put("usd", AdminJson.usd(row.microUsd()));
            d.put("micro_usd", row.microUsd());
            d.put("requests", row.requests());
            d.put("unpriced_requests", row.unpricedRequests());
            d.put("input_tokens", row.inputTokens());
            d.put("output_tokens", row.outputTokens());
        }
        return ok(o);
    }

    /** A query parameter's time: an ISO-8601 time with offset, or a date ({@code 2030-01-31}, its start in UTC). */
    private static Instant time(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw AdminJson.bad(name, "must be a date such as 2030-01-31 or a time such as 2030-01-31T12:00:00Z");
        }
    }

    private static Map<String, String> query(String query, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw AdminJson.bad(null, "the query string is malformed");
            }
            if (!allowed.contains(name)) {
                throw AdminJson.bad(AdminJson.printable(name), "unknown query parameter; allowed: " + String.join(", ",
                        new java.util.TreeSet<>(allowed)));
            }
            out.put(name, value);
        }
        return out;
    }

    private void requireTeam(String team) {
        if (team != null && store.team(team).isEmpty()) {
            throw AdminJson.bad("team_id", "no team has the id '" + AdminJson.printable(team) + "'");
        }
    }

    private void reload() {
        directory.reload(store);
        changed.run();
    }

    /** Runs after every change has reached this instance's directory: tells the other instances. */
    public void onChange(Runnable listener) {
        this.changed = java.util.Objects.requireNonNull(listener, "listener is null");
    }

    private static GatewayException notFound(String what, String id) {
        return GatewayException.builder(ErrorType.CLIENT, 404, what + "_not_found")
                .message("no " + what + " has the id '" + AdminJson.printable(id) + "'").build();
    }

    private static AdminResponse ok(ObjectNode o) {
        return new AdminResponse(200, bytes(o));
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return AdminJson.MAPPER.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

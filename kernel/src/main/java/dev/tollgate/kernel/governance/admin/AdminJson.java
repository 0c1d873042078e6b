package dev.tollgate.kernel.governance.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin API's JSON: strict reading of request bodies (an unknown field, a wrong type, a
 * negative limit each get 400 naming the field) and the shapes of teams, keys and limits.
 * Money is read as a decimal into integer micro-dollars, never through a {@code double}.
 */
final class AdminJson {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final int MAX_NAME_LENGTH = 256;
    static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_LENGTH = 1024;
    static final int MAX_MODELS = 1024;
    private static final Set<String> LIMIT_FIELDS = Set.of("rpm", "tpm", "max_parallel", "budget");
    private static final Set<String> BUDGET_FIELDS = Set.of("usd", "period");

    private AdminJson() {}

    static GatewayException bad(String field, String message) {
        return GatewayException.invalidRequest(field, field == null ? message : field + ": " + message);
    }

    /** The body as a JSON object whose fields are all in {@code allowed}. */
    static Fields object(byte[] body, Set<String> allowed) {
        if (body.length == 0) {
            throw bad(null, "the body must be a JSON object");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw bad(null, "the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + " column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw bad(null, "the body cannot be read");
        }
        return new Fields(root, "", allowed);
    }

    /** The fields of one JSON object; {@code prefix} is its dotted path for messages ({@code limits.}). */
    static final class Fields {
        private final ObjectNode node;
        private final String prefix;

        Fields(JsonNode node, String prefix, Set<String> allowed) {
            String where = prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1);
            if (node == null || !node.isObject()) {
                throw bad(where, where == null ? "the body must be a JSON object" : "must be an object");
            }
            this.node = (ObjectNode) node;
            this.prefix = prefix;
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    throw bad(prefix + printable(f), "unknown field; allowed: " + String.join(", ", new TreeSet<>(allowed)));
                }
            }
        }

        boolean has(String f) {
            return node.has(f);
        }

        /** Present and JSON {@code null}: the field is cleared. */
        boolean isNull(String f) {
            return node.has(f) && node.get(f).isNull();
        }

        String name(String f) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                throw bad(prefix + f, "is required");
            }
            String s = text(f, v);
            if (s.isBlank() || s.length() > MAX_NAME_LENGTH) {
                throw bad(prefix + f, "must be 1 to " + MAX_NAME_LENGTH + " characters");
            }
            return s;
        }

        /** A string, or {@code null} when absent or null. */
        String optionalString(String f) {
            JsonNode v = node.get(f);
            return v == null || v.isNull() ? null : text(f, v);
        }

        boolean bool(String f) {
            JsonNode v = node.get(f);
            if (v == null || !v.isBoolean()) {
                throw bad(prefix + f, "must be true or false");
            }
            return v.booleanValue();
        }

        Instant instant(String f) {
            String s = optionalString(f);
            if (s == null) {
                return null;
            }
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                throw bad(prefix + f, "must be an ISO-8601 time with an offset, such as 2030-01-31T00:00:00Z");
            }
        }

        Map<String, String> metadata(String f) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                return Map.of();
            }
            if (!v.isObject()) {
                throw bad(prefix + f, "must be an object of string values");
            }
            if (v.size() > MAX_METADATA_ENTRIES) {
                throw bad(prefix + f, "may have at most " + MAX_METADATA_ENTRIES + " entries");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = prefix + f + "." + printable(e.getKey());
                if (!e.getValue().isTextual()) {
                    throw bad(field, "must be a string");
                }
                if (e.getKey().isEmpty() || e.getKey().length() > MAX_NAME_LENGTH || e.getValue().textValue()
                        .length() > MAX_METADATA_LENGTH) {
                    throw bad(field, "names are 1 to " + MAX_NAME_LENGTH + " characters, values at most " + MAX_METADATA_LENGTH);
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
            return out;
        }

        Set<String> strings(String f) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                return Set.of();
            }
            if (!v.isArray() || v.size() > MAX_MODELS) {
                throw bad(prefix + f, "must be an array of at most " + MAX_MODELS + " strings");
            }
            Set<String> out = new LinkedHashSet<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual() || e.textValue().isBlank() || e.textValue().length() > MAX_NAME_LENGTH) {
                    throw bad(prefix + f + "[" + i + "]", "must be a non-empty string of at most " + MAX_NAME_LENGTH + " characters");
                }
                out.add(e.textValue());
            }
            return out;
        }

        /** The limits in {@code f}; {@link Limits#NONE} when absent or null. */
        Limits limits(String f) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                return Limits.NONE;
            }
            Fields l = new Fields(v, prefix + f + ".", LIMIT_FIELDS);
            Long rpm = l.count("rpm", Long.MAX_VALUE);
            Long tpm = l.count("tpm", Long.MAX_VALUE);
            Long parallel = l.count("max_parallel", Integer.MAX_VALUE);
            Budget budget = l.budget("budget");
            return Limits.builder().rpm(rpm).tpm(tpm).maxParallel(parallel == null ? null : parallel.intValue()).budget(budget).build();
        }

        private Long count(String f, long max) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw bad(prefix + f, "must be a whole number");
            }
            long n = v.longValue();
            if (n < 0 || n > max) {
                throw bad(prefix + f, "must be between 0 and " + max + ", not " + n);
            }
            return n;
        }

        private Budget budget(String f) {
            JsonNode v = node.get(f);
            if (v == null || v.isNull()) {
                return null;
            }
            Fields b = new Fields(v, prefix + f + ".", BUDGET_FIELDS);
            long micros = b.usd("usd");
            String period = b.optionalString("period");
            if (period == null) {
                throw bad(prefix + f + ".period", "is required: daily, weekly, monthly or none");
            }
            Period p = switch (period) {
                case "daily" -> Period.DAILY;
                case "weekly" -> Period.WEEKLY;
                case "monthly" -> Period.MONTHLY;
                case "none" -> Period.NONE;
                default -> throw bad(prefix + f + ".period", "must be daily, weekly, monthly or none");
            };
            return new Budget(micros, p);
        }

        /** US dollars as a decimal string or number with at most 6 decimals, in micro-dollars. */
        private long usd(String f) {
            JsonNode v = node.get(f);
            String field = prefix + f;
            if (v == null || v.isNull()) {
                throw bad(field, "is required, for example \"5.00\"");
            }
            BigDecimal d;
            try {
                if (v.isTextual()) {
                    d = new BigDecimal(v.textValue().strip());
                } else if (v.isNumber() && !v.isDouble() && !v.isFloat()) {
                    d = v.decimalValue();
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw bad(field, "must be an amount in US dollars such as \"5.00\"");
            }
            if (d.signum() < 0) {
                throw bad(field, "must not be negative");
            }
            if (d.stripTrailingZeros().scale() > 6) {
                throw bad(field, "has more than 6 decimals");
            }
            try {
                return d.movePointRight(6).longValueExact();
            } catch (ArithmeticException e) {
                throw bad(field, "is too large");
            }
        }

        private String text(String f, JsonNode v) {
            if (!v.isTextual()) {
                throw bad(prefix + f, "must be a string");
            }
            return v.textValue();
        }
    }

    static String usd(long micros) {
        BigDecimal d = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return (d.scale() < 2 ? d.setScale(2) : d).toPlainString();
    }

    static ObjectNode limits(Limits l) {
        ObjectNode o = MAPPER.createObjectNode();
        if (l.rpm() != null) {
            o.put("rpm", l.rpm());
        }
        if (l.tpm() != null) {
            o.put("tpm", l.tpm());
        }
        if (l.maxParallel() != null) {
            o.put("max_parallel", l.maxParallel());
        }
        if (l.budget() != null) {
            ObjectNode b = o.putObject("budget");
            b.put("usd", usd(l.budget().microUsd()));
            b.put("micro_usd", l.budget().microUsd());
            b.put("period", l.budget().period().name().toLowerCase(Locale.ROOT));
        }
        return o;
    }

    static ObjectNode team(Team t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", t.id());
        o.put("name", t.name());
        o.put("parent_id", t.parentId());
        o.set("limits", limits(t.limits()));
        o.set("metadata", MAPPER.valueToTree(t.metadata()));
        o.put("created_at", t.createdAt().toString());
        return o;
    }

    /** A key as listings show it: never the secret nor its hash. */
    static ObjectNode key(VirtualKey k) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", k.id());
        o.put("name", k.name());
        o.put("prefix", k.prefix() + "\u2026");
        o.put("team_id", k.teamId());
        ArrayNode models = o.putArray("models");
        k.allowedModels().stream().sorted().forEach(models::add);
        o.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
        o.put("enabled", k.enabled());
        o.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
        o.set("limits", limits(k.limits()));
        o.set("metadata", MAPPER.valueToTree(k.metadata()));
        o.put("created_at", k.createdAt().toString());
        return o;
    }

    static ObjectNode list(List<ObjectNode> items) {
        ObjectNode o = MAPPER.createObjectNode();
        o.putArray("data").addAll(items);
        return o;
    }

    static String printable(String s) {
        String p = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.kernel.config.ResponsesSettings;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stored OpenAI Responses: what {@code store} and {@code previous_response_id} do to a
 * {@code POST /v1/responses}, and what {@code GET} and {@code DELETE /v1/responses/{id}} find.
 *
 * <p>A continued request is rewritten before anything else reads it: its {@code input} becomes the
 * ancestors' turns (each the input items then the output items, oldest first) followed by its own
 * input, and {@code previous_response_id} goes. So admission, the prompt estimate, the cache key and
 * the translation all see the whole conversation, as the provider will. {@code instructions} are the
 * request's own: OpenAI does not carry them over.
 *
 * <p>The kernel, not the store, decides who sees a response (the key that created it, or its team)
 * and whether it has expired (on the kernel's clock); a response another tenant owns is answered
 * exactly as one that does not exist, so its existence is not revealed. Storing happens once the
 * answer is complete, on {@code blocking}; a failure there is counted and logged, never shown to a
 * client that already has its answer. Every store call blocks: callers are off the I/O thread.
 */
public final class ResponseState {

    private static final Logger log = LoggerFactory.getLogger(ResponseState.class);
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How many expired responses one purge call deletes before it asks again. */
    static final int PURGE_BATCH = 500;
    /** How long a read waits for this instance's write of the same response, which it may have just answered. */
    private static final long PENDING_WAIT_MILLIS = 5_000;

    private final ResponsesSettings settings;
    /** The most bytes a continued request may have once its conversation is in it: {@code server.max_request_bytes}. */
    private final long maxConversationBytes;
    private final ResponseStore store;
    private final Clock clock;
    private final Executor blocking;
    private final Metrics.Counter stored;
    private final Metrics.Counter failures;
    private final Metrics.Counter purged;
    /** Writes of this instance not yet done, so a client that continues at once finds its response. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    /**
     * @param store where responses are kept, or {@code null} when {@code settings.store()} is off
     */
    public ResponseState(ResponsesSettings settings, ResponseStore store, Clock clock, Executor blocking, Metrics metrics) {
        this(settings, store, clock, blocking, metrics, Long.MAX_VALUE);
    }

    /**
     * @param store                where responses are kept, or {@code null} when {@code settings.store()} is off
     * @param maxConversationBytes the most bytes a continued request may have with its conversation in it
     *                             (what a client could have sent as a body: {@code server.max_request_bytes})
     */
    public ResponseState(ResponsesSettings settings, ResponseStore store, Clock clock, Executor blocking, Metrics metrics,
            long maxConversationBytes) {
        this.settings = requireNonNull(settings, "settings is null");
        this.maxConversationBytes = maxConversationBytes;
        if (settings.store() && store == null) {
            throw new IllegalArgumentException("responses.store is on but there is no response store");
        }
        this.store = settings.store() ? store : null;
        this.clock = requireNonNull(clock, "clock is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
        this.stored = metrics.counter("tollgate_responses_stored_total", "OpenAI Responses stored (store: true)");
        this.failures = metrics.counter("tollgate_responses_store_failures_total",
                "OpenAI Responses answered with store: true that could not be stored (too large, or the store failed)");
        this.purged = metrics.counter("tollgate_responses_purged_total", "Stored OpenAI Responses deleted after their retention");
    }

    public boolean enabled() {
        return store != null;
    }

    public ResponsesSettings settings() {
        return settings;
    }

    // ---- POST /v1/responses

    /**
     * What the top level of a Responses body asks of the state, read in one streaming pass that
     * skips everything else. A body that is not a JSON object, or a field of the wrong type, is left
     * to the facts parser, which names it.
     *
     * @param store      whether the client asked to store the response ({@code store}, default true)
     * @param previousId the {@code previous_response_id}, or {@code null}
     */
    public record Scan(boolean store, String previousId, long inputBytes, boolean references, String model) {

        /** Whether the request needs the store before it can be served: it continues a response, or refers to stored items. */
        public boolean needsStore() {
            return previousId != null || references;
        }
    }

    /** @throws GatewayException 400 when {@code previous_response_id} is not a string, or cannot be served here */
    public Scan scan(byte[] body) {
        boolean storeField = true;
        String previous = null;
        String model = null;
        long inputBytes = 0;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new Scan(false, null, 0, false, null);
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "store" -> storeField = v != JsonToken.VALUE_FALSE;
                    case "model" -> model = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "previous_response_id" -> {
                        if (v == JsonToken.VALUE_STRING) {
                            previous = p.getText();
                        } else if (v != JsonToken.VALUE_NULL) {
                            throw GatewayException.invalidRequest("previous_response_id", "'previous_response_id' must be a string");
                        }
                    }
                    case "input" -> {
                        if (v == JsonToken.VALUE_STRING) {
                            inputBytes = p.getTextLength();
                        } else {
                            long from = p.currentTokenLocation().getByteOffset();
                            p.skipChildren();
                            inputBytes = p.currentTokenLocation().getByteOffset() - from + 1;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return new Scan(false, null, 0, false, null);
        }
        if (previous != null && store == null) {
            throw GatewayException.invalidRequest("previous_response_id", "previous_response_id needs stored responses, but they are "
                    + "off on this gateway (responses.store: off); send the whole conversation as input items");
        }
        if (previous != null && previous.isEmpty()) {
            throw GatewayException.invalidRequest("previous_response_id", "'previous_response_id' must not be empty");
        }
        boolean storing = storeField && store != null;
        if (storing && inputBytes > settings.maxTurnBytes()) {
            throw GatewayException.invalidRequest("input", "'input' has " + inputBytes + " bytes, more than a stored response may "
                    + "hold (responses.max_turn_bytes: " + settings.maxTurnBytes() + "); send it with \"store\": false");
        }
        return new Scan(storing, previous, inputBytes, store != null && mentions(body, ITEM_REFERENCE), model);
    }

    /**
     * One request's state: the id its answer gets, whether it is stored, what it continued, who
     * owns it, and its body as the rest of the gateway reads it.
     */
    public record Prepared(String id, boolean store, String previousId, Principal owner, byte[] originalBody, byte[] body) {}

    /** A request without {@code previous_response_id}: nothing to look up, the body is served as sent. */
    public Prepared prepareFresh(Scan scan, Principal owner, byte[] body) {
        if (scan.needsStore()) {
            throw new IllegalArgumentException("the request continues " + scan.previousId() + ": use prepareContinued");
        }
        return new Prepared(scan.store() ? newId() : null, scan.store(), null, owner, body, body);
    }

    /**
     * A request with {@code previous_response_id}, or with {@code item_reference} input items: loads
     * the conversation and the items referred to (blocking) and rewrites the body to carry all of it.
     *
     * @throws GatewayException 400 naming {@code previous_response_id} when the response is not found
     *                          (for this tenant) or the conversation is already {@code responses.max_chain} long
     */
    public Prepared prepareContinued(Scan scan, Principal owner, byte[] body) {
        String previous = scan.previousId();
        Instant now = clock.instant();
        List<StoredResponse> conversation = previous == null ? List.of() : conversation(previous, owner, now);
        ObjectNode root;
        try {
            root = (ObjectNode) JSON.readTree(body);
        } catch (IOException | ClassCastException e) {
            // the scan read it as an object; a body that still fails is the facts parser's to name
            return new Prepared(null, false, previous, owner, body, body);
        }
        long bytes = body.length;
        for (StoredResponse r : conversation) {
            bytes += r.turn().length;
        }
        if (bytes > maxConversationBytes) {
            throw tooLong(previous, bytes);
        }
        ArrayNode own = JSON.createArrayNode();
        JsonNode sent = root.get("input");
        if (sent != null && sent.isTextual()) {
            own.add(userMessage(sent.asText()));
        } else if (sent != null && sent.isArray()) {
            own = resolveReferences((ArrayNode) sent, owner, now);
        } else if (sent != null && !sent.isNull()) {
            return new Prepared(null, false, previous, owner, body, body);
        }
        ArrayNode input = JSON.createArrayNode();
        for (StoredResponse r : conversation.reversed()) {
            JsonNode turn = readTurn(r);
            if (turn != null) {
                input.addAll((ArrayNode) turn);
            }
        }
        input.addAll(own);
        root.remove("previous_response_id");
        if (sent != null || !input.isEmpty()) {
            root.set("input", input);
        }
        byte[] served;
        byte[] ownTurn;
        try {
            served = JSON.writeValueAsBytes(root);
            // the turn this response stores: its own input, references resolved, so it replays as plain items
            ownTurn = JSON.writeValueAsBytes(JSON.createObjectNode().set("input", own));
        } catch (IOException e) {
            throw GatewayException.internal("the conversation could not be assembled", e);
        }
        return new Prepared(scan.store() ? newId() : null, scan.store(), previous, owner, ownTurn, served);
    }

    private GatewayException tooLong(String previous, long bytes) {
        return GatewayException.invalidRequest("previous_response_id", "the conversation of previous_response_id '"
                + printable(previous) + "' has grown to about " + bytes + " bytes, more than a request may have "
                + "(server.max_request_bytes: " + maxConversationBytes + "); start a new conversation with the items you need as input");
    }

    /** The visible, unexpired responses of the chain ending at {@code previous}, newest first, up to the first that is not. */
    private List<StoredResponse> conversation(String previous, Principal owner, Instant now) {
        awaitPending(previous);
        // Turns and the answers stored beside them are about the same size: twice the request limit
        // bounds what one continuation reads, and a chain cut by it is too long to continue anyway.
        long budget = 2 * maxConversationBytes;
        List<StoredResponse> chain = store.chain(previous, settings.maxChain(), budget);
        if (chain.isEmpty() || !visible(chain.getFirst(), owner, now)) {
            throw notFound(previous);
        }
        long loaded = 0;
        for (StoredResponse r : chain) {
            loaded += r.turn().length + r.response().length;
        }
        if (loaded > budget) {
            throw tooLong(previous, loaded);
        }
        if (chain.size() >= settings.maxChain()) {
            throw GatewayException.invalidRequest("previous_response_id", "the conversation of previous_response_id '"
                    + printable(previous) + "' already holds " + settings.maxChain() + " responses, the most this gateway keeps in one "
                    + "(responses.max_chain); start a new conversation with the items you need as input");
        }
        List<StoredResponse> conversation = new ArrayList<>();
        for (StoredResponse r : chain) {
            if (!visible(r, owner, now)) {
                break;
            }
            conversation.add(r);
        }
        return conversation;
    }

    /**
     * The input items with each {@code item_reference} replaced by the item it names: an output
     * item of a stored response ({@code msg_…}, {@code fc_…}, {@code rs_…}, whose id carries the
     * response's), or an input item as {@code input_items} lists it ({@code …_in<n>}). A reference this
     * tenant cannot resolve is a 400 naming it.
     */
    private ArrayNode resolveReferences(ArrayNode items, Principal owner, Instant now) {
        ArrayNode out = JSON.createArrayNode();
        java.util.Map<String, JsonNode> turns = new java.util.HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isObject() || !"item_reference".equals(item.path("type").asText())) {
                out.add(item);
                continue;
            }
            String at = "input[" + i + "]";
            String id = item.path("id").isTextual() ? item.get("id").asText() : null;
            if (id == null) {
                throw GatewayException.invalidRequest(at + ".id", at + ".id is required for an item_reference");
            }
            JsonNode found = referenced(id, owner, now, turns);
            if (found == null) {
                throw GatewayException.builder(ErrorType.CLIENT, 400, ITEM_NOT_FOUND).param(at)
                        .message("Item with id '" + printable(id) + "' not found.").build();
            }
            out.add(found);
        }
        return out;
    }

    private JsonNode referenced(String id, Principal owner, Instant now, java.util.Map<String, JsonNode> turns) {
        int first = id.indexOf('_');
        int last = id.lastIndexOf('_');
        if (first < 0 || last <= first + 1) {
            return null;
        }
        String responseId = "resp_" + id.substring(first + 1, last);
        JsonNode turn = turns.computeIfAbsent(responseId, r -> {
            awaitPending(r);
            return store.get(r).filter(s -> visible(s, owner, now)).map(this::readTurn).orElse(JSON.createArrayNode());
        });
        for (JsonNode item : turn) {
            if (id.equals(item.path("id").asText(null))) {
                return item;
            }
        }
        String index = id.substring(last + 1);
        if (index.startsWith("in") && index.length() > 2 && index.substring(2).chars().allMatch(Character::isDigit) && index.length() < 9) {
            int n = Integer.parseInt(index.substring(2));
            return n < turn.size() && !turn.get(n).has("id") ? turn.get(n) : null;
        }
        return null;
    }

    private JsonNode readTurn(StoredResponse r) {
        byte[] turn = r.turn();
        if (turn.length == 0) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(turn);
            return n != null && n.isArray() ? n : null;
        } catch (IOException e) {
            log.warn("stored response {} has an unreadable turn; continuing without it", r.id());
            return null;
        }
    }

    private static ObjectNode userMessage(String text) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "message");
        m.put("role", "user");
        m.put("content", text);
        return m;
    }

    /**
     * Stores a complete answer on {@code blocking}: its turn is the request's own input items then
     * the answer's output items. Never throws; a failure is counted and logged without the content.
     *
     * @param response the {@code response} object exactly as the client got it
     */
    public void storeAnswer(Prepared request, String model, byte[] response) {
        if (!request.store() || store == null) {
            return;
        }
        // created when answered, not when the write gets its turn: retention counts from the answer
        Instant createdAt = clock.instant();
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.put(request.id(), done);
        try {
            blocking.execute(() -> {
                try {
                    write(request, model, response, createdAt);
                } finally {
                    pending.remove(request.id(), done);
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            pending.remove(request.id(), done);
            done.complete(null);
            failures.increment();
            log.warn("response {} was not stored: the gateway is shutting down", request.id());
        }
    }

    private void write(Prepared request, String model, byte[] response, Instant now) {
        try {
            byte[] turn = turn(request.originalBody(), response);
            if (turn.length > settings.maxTurnBytes() || response.length > settings.maxTurnBytes()) {
                failures.increment();
                log.warn("response {} was not stored: its turn has {} bytes and its response object {}, more than "
                        + "responses.max_turn_bytes ({})", request.id(), turn.length, response.length, settings.maxTurnBytes());
                return;
            }
            Principal owner = request.owner();
            store.put(StoredResponse.builder().id(request.id()).previousId(request.previousId()).keyId(owner.keyId().orElse(null))
                    .teamId(owner.teamId().orElse(null)).model(model).createdAt(now)
                    .expiresAt(settings.retention() == null ? null : now.plus(settings.retention())).turn(turn).response(response)
                    .build());
            stored.increment();
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("response {} was not stored: {}", request.id(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The request's input items (a string input as one user message) followed by the response's output items. */
    static byte[] turn(byte[] requestBody, byte[] response) throws IllegalArgumentException {
        try {
            ArrayNode items = JSON.createArrayNode();
            JsonNode input = JSON.readTree(requestBody).get("input");
            if (input != null && input.isTextual()) {
                items.add(userMessage(input.asText()));
            } else if (input != null && input.isArray()) {
                items.addAll((ArrayNode) input);
            }
            JsonNode output = JSON.readTree(response).get("output");
            if (output != null && output.isArray()) {
                items.addAll((ArrayNode) output);
            }
            return JSON.writeValueAsBytes(items);
        } catch (IOException e) {
            throw new IllegalArgumentException("the request or the response is not JSON", e);
        }
    }

    // ---- GET, DELETE /v1/responses/{id}

    /** The stored response object, when it exists, is this tenant's and has not expired. Blocking. */
    public Optional<StoredResponse> find(String id, Principal who) {
        requireNonNull(id, "id is null");
        if (store == null) {
            return Optional.empty();
        }
        awaitPending(id);
        Instant now = clock.instant();
        return store.get(id).filter(r -> visible(r, who, now));
    }

    /** Deletes a response this tenant sees; false (answered as not found) otherwise. Blocking. */
    public boolean delete(String id, Principal who) {
        return find(id, who).map(r -> store.delete(r.id())).orElse(false);
    }

    /** The 404 of a response that does not exist for this tenant, in OpenAI's words. */
    public static GatewayException responseNotFound(String id) {
        return GatewayException.builder(ErrorType.CLIENT, 404, "not_found").message("No response found with id '" + printable(id) + "'.")
                .build();
    }

    /** The code of a {@code previous_response_id} or an {@code item_reference} this tenant has no stored response for. */
    public static final String PREVIOUS_NOT_FOUND = "previous_response_not_found";
    public static final String ITEM_NOT_FOUND = "item_not_found";

    private static GatewayException notFound(String previous) {
        return GatewayException.builder(ErrorType.CLIENT, 400, PREVIOUS_NOT_FOUND).param("previous_response_id")
                .message("Previous response with id '" + printable(previous) + "' not found.").build();
    }

    /** Whether {@code who} may see {@code r} now: it has not expired, and it is the tenant's (by key, or by team). */
    boolean visible(StoredResponse r, Principal who, Instant now) {
        if (r.expiresAt() != null && !r.expiresAt().isAfter(now)) {
            return false;
        }
        String key = who.keyId().orElse(null);
        if (java.util.Objects.equals(r.keyId(), key)) {
            return true;
        }
        return settings.visibility() == ResponsesSettings.Visibility.TEAM && r.teamId() != null
                && r.teamId().equals(who.teamId().orElse(null));
    }

    private void awaitPending(String id) {
        CompletableFuture<Void> write = pending.get(id);
        if (write == null) {
            return;
        }
        try {
            write.get(PENDING_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // read what the store has
        }
    }

    // ---- retention

    /** Deletes every response expired by the kernel's clock, in batches; returns how many. Blocking. */
    public long purgeExpired() {
        if (store == null) {
            return 0;
        }
        Instant now = clock.instant();
        long total = 0;
        int n;
        do {
            n = store.deleteExpired(now, PURGE_BATCH);
            total += n;
        } while (n >= PURGE_BATCH);
        purged.add(total);
        return total;
    }

    /** {@link #purgeExpired}, for the periodic job: a failure is logged and the next run tries again. */
    public void purgeQuietly() {
        try {
            long n = purgeExpired();
            if (n > 0) {
                log.debug("purged {} expired responses", n);
            }
        } catch (RuntimeException e) {
            log.warn("purging expired responses failed (the next run tries again): {}", e.getMessage());
        }
    }

    private static final byte[] ITEM_REFERENCE = "\"item_reference\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Whether {@code body} holds {@code needle}: a cheap test that sends only the few bodies that may hold references to the store. */
    static boolean mentions(byte[] body, byte[] needle) {
        outer:
        for (int i = 0; i <= body.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static String newId() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return "resp_" + HexFormat.of().formatHex(b);
    }

    static String printable(String s) {
        String p = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

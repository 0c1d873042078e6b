package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.store.StoredResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET} and {@code DELETE /v1/responses/{id}} and {@code GET /v1/responses/{id}/input_items}
 * (also without {@code /v1}): the stored response object as the {@code POST} answered it, its
 * deletion in OpenAI's shape, its input items as an OpenAI list. A response that does not exist,
 * has expired or is another tenant's is a 404 {@code not_found}, one and the same. The store is read
 * on {@code blocking}.
 */
public final class StoredResponsesHandler {

    private static final Logger log = LoggerFactory.getLogger(StoredResponsesHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpString ALLOW = new HttpString("Allow");

    private final ResponseState state;
    private final Authenticator authenticator;
    private final Executor blocking;

    public StoredResponsesHandler(ResponseState state, Authenticator authenticator, Executor blocking) {
        this.state = requireNonNull(state, "state is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
    }

    /** Whether {@code path} is one of this handler's. */
    public static boolean handles(String path) {
        return path.startsWith("/v1/responses/") || path.startsWith("/responses/");
    }

    private record Target(String id, boolean inputItems) {}

    /** Serves one request; {@code requestId} is the gateway's id of it. */
    public void handle(HttpServerExchange exchange, String requestId) {
        String rest = exchange.getRelativePath().substring(exchange.getRelativePath().indexOf("/responses/") + "/responses/".length());
        Target target;
        if (rest.endsWith("/input_items")) {
            target = new Target(rest.substring(0, rest.length() - "/input_items".length()), true);
        } else {
            target = new Target(rest, false);
        }
        String method = exchange.getRequestMethod().toString();
        if (target.id().isEmpty() || target.id().contains("/")) {
            Responses.error(exchange, requestId, ErrorFormat.OPENAI, GatewayException.builder(ErrorType.CLIENT, 404, "unknown_url")
                    .message("unknown request URL: " + method + " " + ResponseState.printable(exchange.getRelativePath())).build());
            return;
        }
        String allowed = target.inputItems() ? "GET" : "GET, DELETE";
        if (!(method.equals("GET") || (method.equals("DELETE") && !target.inputItems()))) {
            exchange.getResponseHeaders().put(ALLOW, allowed);
            Responses.error(exchange, requestId, ErrorFormat.OPENAI, GatewayException.builder(ErrorType.CLIENT, 405, "method_not_allowed")
                    .message(method + " is not allowed on " + ResponseState.printable(exchange.getRelativePath()) + "; use " + allowed)
                    .build());
            return;
        }
        Principal who;
        try {
            who = ResponsesIntake.principal(exchange, authenticator);
        } catch (GatewayException e) {
            Responses.error(exchange, requestId, ErrorFormat.OPENAI, e);
            return;
        }
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            try {
                blocking.execute(() -> {
                    int status = 200;
                    byte[] body;
                    try {
                        body = answer(method, target, who, query);
                    } catch (GatewayException e) {
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, e));
                        return;
                    } catch (RuntimeException e) {
                        log.warn("request {}: the response store failed: {}", requestId, e.getMessage());
                        GatewayException unavailable = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "store_unavailable")
                                .message("the response store could not be read; retry").build();
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, unavailable));
                        return;
                    }
                    int s = status;
                    exchange.getIoThread().execute(() -> Responses.json(exchange, s, body));
                });
            } catch (RejectedExecutionException e) {
                Responses.error(exchange, requestId, ErrorFormat.OPENAI, GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503,
                        "shutting_down").message("the gateway is shutting down; retry on another instance").build());
            }
        });
    }

    private byte[] answer(String method, Target target, Principal who, Map<String, Deque<String>> query) {
        if (method.equals("DELETE")) {
            if (!state.delete(target.id(), who)) {
                throw ResponseState.responseNotFound(target.id());
            }
            ObjectNode deleted = JSON.createObjectNode().put("id", target.id()).put("object", "response").put("deleted", true);
            return bytes(deleted);
        }
        StoredResponse r = state.find(target.id(), who).orElseThrow(() -> ResponseState.responseNotFound(target.id()));
        if (!target.inputItems()) {
            return r.response();
        }
        return bytes(inputItems(r, query));
    }

    /** OpenAI's list of a response's input items: {@code order} desc (the default) or asc, {@code limit} 1..100 (20), {@code after}. */
    static ObjectNode inputItems(StoredResponse r, Map<String, Deque<String>> query) {
        String order = first(query, "order", "desc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw GatewayException.invalidRequest("order", "order must be asc or desc");
        }
        int limit;
        try {
            limit = Integer.parseInt(first(query, "limit", "20"));
        } catch (NumberFormatException e) {
            throw GatewayException.invalidRequest("limit", "limit must be an integer from 1 to 100");
        }
        if (limit < 1 || limit > 100) {
            throw GatewayException.invalidRequest("limit", "limit must be an integer from 1 to 100");
        }
        String after = first(query, "after", null);
        List<JsonNode> items = new ArrayList<>();
        try {
            JsonNode turn = r.turn().length == 0 ? JSON.createArrayNode() : JSON.readTree(r.turn());
            JsonNode output = JSON.readTree(r.response()).get("output");
            int inputs = turn.size() - (output != null && output.isArray() ? output.size() : 0);
            String suffix = r.id().substring("resp_".length());
            for (int i = 0; i < inputs; i++) {
                ObjectNode item = ((ObjectNode) turn.get(i)).deepCopy();
                if (!item.has("type")) {
                    item.put("type", "message");
                }
                boolean message = item.get("type").asText().equals("message");
                if (!item.has("id")) {
                    item.put("id", (message ? "msg_" : "item_") + suffix + "_in" + i);
                }
                if (message && item.path("content").isTextual()) {
                    // as OpenAI lists them: a message's text as one part
                    String role = item.path("role").asText();
                    ArrayNode parts = JSON.createArrayNode();
                    parts.addObject().put("type", role.equals("assistant") ? "output_text" : "input_text")
                            .put("text", item.get("content").asText());
                    item.set("content", parts);
                }
                if (!item.has("status")) {
                    item.put("status", "completed");
                }
                items.add(item);
            }
        } catch (IOException | ClassCastException e) {
            throw GatewayException.internal("the stored input items could not be read", e);
        }
        if (order.equals("desc")) {
            items = items.reversed();
        }
        int from = 0;
        if (after != null) {
            for (int i = 0; i < items.size(); i++) {
                if (after.equals(items.get(i).path("id").asText())) {
                    from = i + 1;
                    break;
                }
            }
        }
        List<JsonNode> page = items.subList(Math.min(from, items.size()), Math.min(from + limit, items.size()));
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        page.forEach(data::add);
        if (page.isEmpty()) {
            list.putNull("first_id");
            list.putNull("last_id");
        } else {
            list.put("first_id", page.getFirst().path("id").asText());
            list.put("last_id", page.getLast().path("id").asText());
        }
        list.put("has_more", from + page.size() < items.size());
        return list;
    }

    private static String first(Map<String, Deque<String>> query, String name, String dflt) {
        Deque<String> values = query.get(name);
        return values == null || values.isEmpty() ? dflt : values.getFirst();
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.io.IOException;

/**
 * One streaming pass over a response body or stream chunk that reads only the top level: the
 * {@code usage} object (Chat Completions' or Responses' counters), whether {@code choices},
 * {@code data} and {@code output} are arrays (and {@code choices} an empty one), the {@code id}
 * string, and an {@code error}. Every other subtree is skipped.
 *
 * @param usage        the reported usage, or {@code null} when there is no usage object
 * @param choices      whether a {@code choices} array is present
 * @param choicesEmpty whether that array is empty
 * @param data         whether a {@code data} array is present
 * @param error        the {@code error} value, or {@code null} when there is none
 * @param stopReason   the first {@code finish_reason} string inside {@code choices}, mapped, or {@code null}
 * @param output       whether an {@code output} array is present (a Responses {@code response} object)
 * @param id           the top-level {@code id} string, or {@code null}
 */
record ResponseScan(Usage usage, boolean choices, boolean choicesEmpty, boolean data, UpstreamError error, StopReason stopReason,
        boolean output, String id) {

    private static final byte[] FINISH_REASON = "\"finish_reason\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** @throws IOException when {@code json} is not a JSON object */
    static ResponseScan of(Bytes json) throws IOException {
        return of(json.toArray());
    }

    /** @throws IOException when {@code b} is not a JSON object */
    static ResponseScan of(byte[] b) throws IOException {
        return of(b, b.length);
    }

    /** Scans {@code b[0, length)}. @throws IOException when it is not a JSON object */
    static ResponseScan of(byte[] b, int length) throws IOException {
        return of(b, 0, length);
    }

    /** Scans the object in {@code b[from, to)}. @throws IOException when it is not a JSON object */
    static ResponseScan of(byte[] b, int from, int to) throws IOException {
        Found f = new Found();
        TopLevel.scan(b, from, to, f);
        Usage usage = null;
        if (f.usageStart >= 0 && b[f.usageStart] == '{') {
            try (JsonParser p = Json.FACTORY.createParser(b, f.usageStart, f.usageEnd - f.usageStart)) {
                p.nextToken();
                usage = readUsage(p);
            }
        }
        UpstreamError error = null;
        if (f.errorStart >= 0 && !TopLevel.is(b, f.errorStart, f.errorEnd, "null")) {
            try (JsonParser p = Json.FACTORY.createParser(b, f.errorStart, f.errorEnd - f.errorStart)) {
                p.nextToken();
                error = UpstreamError.read(p);
            }
        }
        StopReason stop = f.choices ? finishReason(b, f.choicesStart, f.choicesEnd) : null;
        return new ResponseScan(usage, f.choices, f.choicesEmpty, f.data, error, stop, f.output, f.id);
    }

    /**
     * The first {@code "finish_reason": "<value>"} in {@code b[from, to)}, mapped; null when absent or null.
     * The same bytes as a string value (content that reads {@code finish_reason}) are not followed by a
     * colon, and the search goes on past them.
     */
    static StopReason finishReason(byte[] b, int from, int to) {
        outer:
        for (int i = from; i <= to - FINISH_REASON.length; i++) {
            for (int j = 0; j < FINISH_REASON.length; j++) {
                if (b[i + j] != FINISH_REASON[j]) {
                    continue outer;
                }
            }
            int k = TopLevel.skipWhitespace(b, i + FINISH_REASON.length, to);
            if (k < to && b[k] == ':') {
                k = TopLevel.skipWhitespace(b, k + 1, to);
                if (k < to && b[k] == '"') {
                    int end = k + 1;
                    while (end < to && b[end] != '"') {
                        end++;
                    }
                    return stopReason(new String(b, k + 1, end - k - 1, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return null;
    }

    static StopReason stopReason(String finishReason) {
        return switch (finishReason) {
            case "stop" -> StopReason.END_TURN;
            case "length" -> StopReason.MAX_TOKENS;
            case "tool_calls", "function_call" -> StopReason.TOOL_USE;
            case "content_filter" -> StopReason.CONTENT_FILTER;
            default -> StopReason.OTHER;
        };
    }

    /** The top-level members a response is checked for. */
    private static final class Found implements TopLevel.Visitor {
        int usageStart = -1;
        int usageEnd;
        int errorStart = -1;
        int errorEnd;
        boolean choices;
        boolean choicesEmpty;
        int choicesStart;
        int choicesEnd;
        boolean data;
        boolean output;
        String id;

        @Override
        public void member(byte[] b, int ks, int ke, int vs, int ve) throws IOException {
            if (TopLevel.is(b, ks, ke, "usage")) {
                usageStart = vs;
                usageEnd = ve;
            } else if (TopLevel.is(b, ks, ke, "choices")) {
                choices = b[vs] == '[';
                choicesStart = vs;
                choicesEnd = ve;
                choicesEmpty = choices && b[TopLevel.skipWhitespace(b, vs + 1, ve)] == ']';
            } else if (TopLevel.is(b, ks, ke, "data")) {
                data = b[vs] == '[';
            } else if (TopLevel.is(b, ks, ke, "error")) {
                errorStart = vs;
                errorEnd = ve;
            } else if (TopLevel.is(b, ks, ke, "output")) {
                output = b[vs] == '[';
            } else if (TopLevel.is(b, ks, ke, "id") && b[vs] == '"' && id == null) {
                id = Json.string(b, vs, ve);
            }
        }
    }

    private static Usage readUsage(JsonParser p) throws IOException {
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "prompt_tokens", "input_tokens" -> prompt = Json.count(p);
                case "completion_tokens", "output_tokens" -> completion = Json.count(p);
                case "prompt_tokens_details", "input_tokens_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        cached = readDetail(p, "cached_tokens");
                    } else {
                        p.skipChildren();
                    }
                }
                case "completion_tokens_details", "output_tokens_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        reasoning = readDetail(p, "reasoning_tokens");
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return Usage.builder().inputTokens(prompt).outputTokens(completion).cachedInputTokens(Math.min(cached, prompt))
                .reasoningTokens(Math.min(reasoning, completion)).build();
    }

    private static long readDetail(JsonParser p, String field) throws IOException {
        long found = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals(field)) {
                found = Json.count(p);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}

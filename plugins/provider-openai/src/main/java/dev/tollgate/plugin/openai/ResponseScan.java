package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonParser;
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
            usage = readUsage(b, f.usageStart, f.usageEnd);
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

    /**
     * The usage object {@code b[from, to)}, read with {@link TopLevel} rather than a JSON parser: it
     * is on every answer's path, and a parser costs more to set up (about 1.5 KB of buffers) than the
     * few counts in it take to read. Chat Completions' names ({@code prompt_tokens} ...) and
     * Responses' ({@code input_tokens} ...) are both read; cache reads come from the details'
     * {@code cached_tokens} or, as DeepSeek reports them, {@code prompt_cache_hit_tokens}. A count
     * that is not a non-negative number counts as 0, as
     * {@link Json#count} has it; a number that is not JSON is an error.
     */
    static Usage readUsage(byte[] b, int from, int to) throws IOException {
        long[] counts = new long[4]; // prompt, completion, cached, reasoning
        TopLevel.scan(b, from, to, (bytes, ks, ke, vs, ve) -> {
            if (TopLevel.is(bytes, ks, ke, "prompt_tokens") || TopLevel.is(bytes, ks, ke, "input_tokens")) {
                counts[0] = count(bytes, vs, ve);
            } else if (TopLevel.is(bytes, ks, ke, "completion_tokens") || TopLevel.is(bytes, ks, ke, "output_tokens")) {
                counts[1] = count(bytes, vs, ve);
            } else if (TopLevel.is(bytes, ks, ke, "prompt_tokens_details") || TopLevel.is(bytes, ks, ke, "input_tokens_details")) {
                counts[2] = Math.max(counts[2], detail(bytes, vs, ve, "cached_tokens"));
            } else if (TopLevel.is(bytes, ks, ke, "prompt_cache_hit_tokens")) {
                // DeepSeek's own field for prompt-cache reads (its prompt_tokens include them)
                counts[2] = Math.max(counts[2], count(bytes, vs, ve));
            } else if (TopLevel.is(bytes, ks, ke, "completion_tokens_details")
                    || TopLevel.is(bytes, ks, ke, "output_tokens_details")) {
                counts[3] = detail(bytes, vs, ve, "reasoning_tokens");
            }
        });
        return Usage.builder().inputTokens(counts[0]).outputTokens(counts[1]).cachedInputTokens(Math.min(counts[2], counts[0]))
                .reasoningTokens(Math.min(counts[3], counts[1])).build();
    }

    private static long detail(byte[] b, int from, int to, String field) throws IOException {
        if (b[from] != '{') {
            return 0;
        }
        long[] found = new long[1];
        TopLevel.scan(b, from, to, (bytes, ks, ke, vs, ve) -> {
            if (TopLevel.is(bytes, ks, ke, field)) {
                found[0] = count(bytes, vs, ve);
            }
        });
        return found[0];
    }

    /**
     * A JSON number in {@code b[from, to)} as a non-negative count; strings, null, booleans and
     * structures are 0. A bare token that is none of them is not JSON (an error), as a parser has it.
     */
    static long count(byte[] b, int from, int to) throws IOException {
        byte first = b[from];
        if (first != '-' && (first < '0' || first > '9')) {
            if (first == '"' || first == '{' || first == '[' || TopLevel.is(b, from, to, "true") || TopLevel.is(b, from, to, "false")
                    || TopLevel.is(b, from, to, "null")) {
                return 0;
            }
            throw new IOException("not JSON");
        }
        boolean integer = true;
        long value = 0;
        int i = first == '-' ? from + 1 : from;
        if (i == to) {
            throw new IOException("not a number");
        }
        for (; i < to; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9') {
                value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integer = false;
            } else {
                throw new IOException("not a number");
            }
        }
        if (!integer) {
            try {
                return Math.max(0, (long) Double.parseDouble(new String(b, from, to - from, java.nio.charset.StandardCharsets.US_ASCII)));
            } catch (NumberFormatException e) {
                throw new IOException("not a number");
            }
        }
        return first == '-' ? 0 : value;
    }
}

package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;
import java.io.InputStream;

/**
 * What the mock needs from an OpenAI chat request, read with a streaming parser.
 *
 * @param messages    number of messages
 * @param promptWords whitespace-separated words over every message's text content
 * @param contentHash a hash of the roles and text contents of the messages, in order
 * @param maxTokens   the smaller of {@code max_tokens} and {@code max_completion_tokens}; -1 when neither is set
 */
record ChatBody(int messages, long promptWords, long contentHash, int maxTokens) {

    static ChatBody parse(JsonFactory json, Bytes body) {
        try (InputStream in = body.openStream(); JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(null, "the request body must be a JSON object");
            }
            Reader r = new Reader();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "messages" -> r.messages(p, value);
                    case "max_tokens", "max_completion_tokens" -> r.maxTokens(p, value, field);
                    default -> p.skipChildren();
                }
            }
            if (r.messages < 0) {
                throw GatewayException.invalidRequest("messages", "'messages' is required");
            }
            return new ChatBody(r.messages, r.words, r.hash, r.maxTokens);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "the request body is not valid JSON");
        }
    }

    private static final char ROLE_END = 0x1d;
    private static final char MESSAGE_END = 0x1e;
    private static final char TEXT_END = 0x1f;

    private static final class Reader {
        int messages = -1;
        long words;
        long hash = TextHash.START;
        int maxTokens = -1;

        void messages(JsonParser p, JsonToken value) throws IOException {
            if (value != JsonToken.START_ARRAY) {
                throw GatewayException.invalidRequest("messages", "'messages' must be an array");
            }
            int index = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw GatewayException.invalidRequest("messages[" + index + "]", "each message must be an object");
                }
                message(p, index++);
            }
            if (index == 0) {
                throw GatewayException.invalidRequest("messages", "'messages' must not be empty");
            }
            messages = index;
        }

        private void message(JsonParser p, int index) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("role") && value == JsonToken.VALUE_STRING) {
                    hash = TextHash.mix(TextHash.mix(hash, p.getText()), ROLE_END);
                } else if (field.equals("content")) {
                    content(p, value, index);
                } else {
                    p.skipChildren();
                }
            }
            hash = TextHash.mix(hash, MESSAGE_END);
        }

        private void content(JsonParser p, JsonToken value, int index) throws IOException {
            switch (value) {
                case VALUE_STRING -> text(p.getText());
                case VALUE_NULL -> { }
                case START_ARRAY -> {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw GatewayException.invalidRequest("messages[" + index + "].content",
                                    "content parts must be objects");
                        }
                        part(p, index);
                    }
                }
                default -> throw GatewayException.invalidRequest("messages[" + index + "].content",
                        "content must be a string or an array of parts");
            }
        }

        private void part(JsonParser p, int index) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("text")) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw GatewayException.invalidRequest("messages[" + index + "].content",
                                "the text of a content part must be a string");
                    }
                    text(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }

        private void text(String s) {
            words += Words.count(s);
            hash = TextHash.mix(TextHash.mix(hash, s), TEXT_END);
        }

        void maxTokens(JsonParser p, JsonToken value, String field) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 1) {
                throw GatewayException.invalidRequest(field, "'" + field + "' must be a positive integer");
            }
            int n = (int) Math.min(Integer.MAX_VALUE, p.getLongValue());
            maxTokens = maxTokens < 0 ? n : Math.min(maxTokens, n);
        }
    }
}

package dev.tollgate.spi.testkit.conformance;

import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.testkit.conformance.ConformanceCase.Request;
import java.util.List;

/** The requests the suite sends: the same conversation as the canonical model and as each inbound API's body. */
final class CaseRequests {

    static final String CLIENT_MODEL = "conformance-model";
    static final String SYSTEM = "You are a concise assistant.";
    static final String PLAIN_PROMPT = "Say hello.";
    static final String TOOLS_PROMPT = "What is the weather in Paris and in Tokyo?";
    static final String TOOL_NAME = "get_weather";
    static final String TOOL_DESCRIPTION = "Current weather for a city";
    static final String TOOL_SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    static final String STOP = "END";
    static final int MAX_TOKENS = 512;

    private CaseRequests() {}

    static ChatRequest canonical(ConformanceCase c) {
        ChatRequest.Builder b = ChatRequest.builder().model(CLIENT_MODEL).addSystem(SYSTEM).maxTokens(MAX_TOKENS)
                .stream(c.stream()).includeUsage(c.stream());
        switch (c.request()) {
            case PLAIN -> b.addMessage(Message.user(PLAIN_PROMPT));
            case STOP -> b.addMessage(Message.user(PLAIN_PROMPT)).stop(List.of(STOP));
            case TOOLS -> b.addMessage(Message.user(TOOLS_PROMPT)).addTool(Tool.of(TOOL_NAME, TOOL_DESCRIPTION, RawJson.of(TOOL_SCHEMA)));
        }
        return b.build();
    }

    /** The client's body in {@code format}, for adapters that pass that format through. */
    static String nativeBody(ConformanceCase c, WireFormat format) {
        String prompt = c.request() == Request.TOOLS ? TOOLS_PROMPT : PLAIN_PROMPT;
        StringBuilder sb = new StringBuilder("{\"model\":").append(Json.quote(CLIENT_MODEL));
        switch (format) {
            case OPENAI_CHAT -> {
                sb.append(",\"messages\":[{\"role\":\"system\",\"content\":").append(Json.quote(SYSTEM))
                        .append("},{\"role\":\"user\",\"content\":").append(Json.quote(prompt)).append("}]")
                        .append(",\"max_tokens\":").append(MAX_TOKENS);
                if (c.request() == Request.TOOLS) {
                    sb.append(",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"").append(TOOL_NAME)
                            .append("\",\"description\":").append(Json.quote(TOOL_DESCRIPTION)).append(",\"parameters\":")
                            .append(TOOL_SCHEMA).append("}}]");
                }
                if (c.request() == Request.STOP) {
                    sb.append(",\"stop\":[\"").append(STOP).append("\"]");
                }
                if (c.stream()) {
                    sb.append(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
                }
            }
            case ANTHROPIC_MESSAGES -> {
                sb.append(",\"max_tokens\":").append(MAX_TOKENS).append(",\"system\":").append(Json.quote(SYSTEM))
                        .append(",\"messages\":[{\"role\":\"user\",\"content\":").append(Json.quote(prompt)).append("}]");
                if (c.request() == Request.TOOLS) {
                    sb.append(",\"tools\":[{\"name\":\"").append(TOOL_NAME).append("\",\"description\":")
                            .append(Json.quote(TOOL_DESCRIPTION)).append(",\"input_schema\":").append(TOOL_SCHEMA).append("}]");
                }
                if (c.request() == Request.STOP) {
                    sb.append(",\"stop_sequences\":[\"").append(STOP).append("\"]");
                }
                if (c.stream()) {
                    sb.append(",\"stream\":true");
                }
            }
            default -> throw new IllegalArgumentException("the suite has no " + format + " requests");
        }
        return sb.append('}').toString();
    }
}

package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.provider.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** Writes the non-streamed answers: a {@code chat.completion} and an embeddings list. */
final class CompletionWriter {

    private final JsonFactory json;

    CompletionWriter(JsonFactory json) {
        this.json = json;
    }

    Bytes completion(String id, long created, String model, Answer answer, Usage usage) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", answer.text());
            g.writeNullField("refusal");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", answer.finishReason());
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", usage.promptTokens());
            g.writeNumberField("completion_tokens", usage.completionTokens());
            g.writeNumberField("total_tokens", usage.totalTokens());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    Bytes embeddings(String model, List<float[]> vectors, boolean base64, long promptTokens) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (int i = 0; i < vectors.size(); i++) {
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", i);
                g.writeFieldName("embedding");
                float[] v = vectors.get(i);
                if (base64) {
                    g.writeString(base64(v));
                } else {
                    g.writeStartArray();
                    for (float f : v) {
                        g.writeNumber(f);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", model);
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", promptTokens);
            g.writeNumberField("total_tokens", promptTokens);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String base64(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private Bytes write(Body body) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = json.createGenerator(out)) {
            body.writeTo(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Bytes.wrapOwned(out.toByteArray());
    }
}

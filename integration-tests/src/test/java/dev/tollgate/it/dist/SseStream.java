package dev.tollgate.it.dist;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code data:} events of a server-sent event stream one at a time. */
final class SseStream implements AutoCloseable {

    static final String DONE = "[DONE]";

    private final BufferedReader reader;
    private final List<String> events = new ArrayList<>();

    SseStream(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The payload of the next {@code data:} event, or {@code null} at the end of the body. */
    String next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("data:")) {
                String data = line.substring(5).strip();
                events.add(data);
                return data;
            }
        }
        return null;
    }

    /** Reads the rest of the stream; every event read so far, in order. */
    List<String> readAll() throws IOException {
        while (next() != null) {
            // collects into events
        }
        return List.copyOf(events);
    }

    /** How many events were read so far. */
    int received() {
        return events.size();
    }

    /** The concatenated {@code choices[0].delta.content} of every chunk in {@code events}. */
    static String content(List<String> events) {
        StringBuilder out = new StringBuilder();
        for (String e : events) {
            if (e.equals(DONE)) {
                continue;
            }
            JsonNode chunk = Dist.json(e);
            JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
            if (content.isTextual()) {
                out.append(content.asText());
            }
        }
        return out.toString();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

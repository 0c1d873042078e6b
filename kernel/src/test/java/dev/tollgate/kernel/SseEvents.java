package dev.tollgate.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The named events of an SSE body, each with its data parsed as JSON (events without data are left out). */
public final class SseEvents {

    /** One event: its {@code event:} name (null when unnamed) and its data. */
    public record Sse(String name, JsonNode data) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseEvents() {}

    public static List<Sse> of(String body) {
        List<Sse> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            if (!data.isEmpty()) {
                try {
                    out.add(new Sse(name, JSON.readTree(data.toString())));
                } catch (IOException e) {
                    throw new UncheckedIOException("an event's data is not JSON: " + data, e);
                }
            }
        }
        return out;
    }
}

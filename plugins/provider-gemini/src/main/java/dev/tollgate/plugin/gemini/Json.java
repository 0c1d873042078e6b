package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The plugin's one Jackson factory and mapper. */
final class Json {

    /** Sizes are bounded before parsing (the kernel's answer limit, the SSE event limit); inline images are long strings. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Json() {}
}

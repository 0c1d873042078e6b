package dev.tollgate.plugin.anthropic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

/** The plugin's one Jackson factory. */
final class Json {

    /** Sizes are bounded before parsing (the kernel's body and answer limits, the SSE event limit); base64 images are long strings. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private Json() {}
}

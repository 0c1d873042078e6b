package dev.tollgate.formats.openai;

/**
 * What a Responses {@code response} object says about its request: its id when the gateway assigns
 * one (a stored response needs an id no other response has), whether it is stored, the
 * {@code previous_response_id} it continued, and the request fields it repeats.
 *
 * @param id                 the response's id, or {@code null} to derive it from the canonical answer's id
 * @param store              the {@code store} field
 * @param previousResponseId the {@code previous_response_id} field, or {@code null}
 * @param request            the request fields the response object repeats
 */
public record ResponseEcho(String id, boolean store, String previousResponseId, RequestEcho request) {

    /** A stateless answer: the id derived from the provider's, {@code "store": false}, request fields at their defaults. */
    public static final ResponseEcho STATELESS = new ResponseEcho(null, false, null);

    public ResponseEcho {
        if (id != null && !id.startsWith("resp_")) {
            throw new IllegalArgumentException("a response id starts with resp_: " + id);
        }
        if (request == null) {
            request = RequestEcho.NONE;
        }
    }

    /** An answer whose request fields carry their defaults. */
    public ResponseEcho(String id, boolean store, String previousResponseId) {
        this(id, store, previousResponseId, RequestEcho.NONE);
    }
}

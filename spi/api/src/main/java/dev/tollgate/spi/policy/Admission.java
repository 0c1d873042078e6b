package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import java.util.Optional;

/**
 * A policy's consent to a request (or to one attempt of it).
 *
 * <p>{@link #answer()} short-circuits the request: no later policy admits it, no provider is
 * called, and the kernel answers the client with that response in its format (streamed when the
 * client asked for a stream). Every policy admitted so far is still settled.
 */
public final class Admission {

    private static final Admission PROCEED = new Admission(null, Headers.EMPTY, null, null);

    private final Principal principal;
    private final Headers responseHeaders;
    private final Object state;
    private final ChatResponse answer;

    private Admission(Principal principal, Headers responseHeaders, Object state, ChatResponse answer) {
        this.principal = principal;
        this.responseHeaders = requireNonNull(responseHeaders, "responseHeaders is null");
        this.state = state;
        this.answer = answer;
    }

    /** Admits without changing anything. */
    public static Admission proceed() {
        return PROCEED;
    }

    /** Answers the request with {@code response} instead of calling a provider. */
    public static Admission answer(ChatResponse response) {
        return new Admission(null, Headers.EMPTY, null, requireNonNull(response, "response is null"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The principal from now on, when this policy established or changed it. */
    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    /** Headers to add to the response (for example {@code x-ratelimit-*}). */
    public Headers responseHeaders() {
        return responseHeaders;
    }

    /**
     * What the policy needs back in later hooks (a reservation id, a permit), or {@code null}.
     * The kernel never looks at it.
     */
    public Object state() {
        return state;
    }

    /** The short-circuit answer, when the policy answers the request itself. */
    public Optional<ChatResponse> answer() {
        return Optional.ofNullable(answer);
    }

    /** Builds {@link Admission}s. */
    public static final class Builder {
        private Principal principal;
        private final Headers.Builder headers = Headers.builder();
        private Object state;
        private ChatResponse answer;

        private Builder() {}

        public Builder principal(Principal p) {
            this.principal = p;
            return this;
        }

        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        public Builder state(Object s) {
            this.state = s;
            return this;
        }

        public Builder answer(ChatResponse response) {
            this.answer = response;
            return this;
        }

        public Admission build() {
            Headers h = headers.build();
            return principal == null && h.size() == 0 && state == null && answer == null ? PROCEED
                    : new Admission(principal, h, state, answer);
        }
    }
}

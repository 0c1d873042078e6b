package dev.tollgate.spi.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored OpenAI Response, kept by a {@link ResponseStore}. Built with {@link #builder()}; the
 * byte arrays are copied in and out, so a value cannot be changed after it is built.
 */
public final class StoredResponse {

    private final String id;
    private final String previousId;
    private final String keyId;
    private final String teamId;
    private final String model;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final String deployment;
    private final byte[] turn;
    private final byte[] response;

    private StoredResponse(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.previousId = b.previousId;
        this.keyId = b.keyId;
        this.teamId = b.teamId;
        this.model = requireNonNull(b.model, "model is null");
        this.createdAt = requireNonNull(b.createdAt, "createdAt is null");
        this.expiresAt = b.expiresAt;
        this.deployment = b.deployment;
        this.turn = requireNonNull(b.turn, "turn is null").clone();
        this.response = requireNonNull(b.response, "response is null").clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().id(id).previousId(previousId).keyId(keyId).teamId(teamId).model(model).createdAt(createdAt).expiresAt(expiresAt).deployment(deployment).turn(turn).response(response);
    }

    /** The response's id ({@code resp_…}), as the client sees it. */
    public String id() {
        return id;
    }

    /** The {@code previous_response_id} it continued, or {@code null}. */
    public String previousId() {
        return previousId;
    }

    /** The virtual key that created it, or {@code null} when the gateway runs without keys. */
    public String keyId() {
        return keyId;
    }

    /** The team of that key, or {@code null}. */
    public String teamId() {
        return teamId;
    }

    /** The client-facing model. */
    public String model() {
        return model;
    }

    /** When it was stored. */
    public Instant createdAt() {
        return createdAt;
    }

    /** When it may be purged, or {@code null} to keep it until deleted. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** The deployment that holds the state itself (an upstream Responses API whose own id this is), or {@code null} when the gateway holds it. */
    public String deployment() {
        return deployment;
    }

    /** This turn's conversation as the kernel continues it (the input items after the ancestors', then the output items), JSON; empty when the upstream holds the state. */
    public byte[] turn() {
        return turn.clone();
    }

    /** The response object as {@code GET /v1/responses/{id}} returns it, JSON. */
    public byte[] response() {
        return response.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse r && Objects.equals(id, r.id) && Objects.equals(previousId, r.previousId) && Objects.equals(keyId, r.keyId) && Objects.equals(teamId, r.teamId) && Objects.equals(model, r.model) && Objects.equals(createdAt, r.createdAt) && Objects.equals(expiresAt, r.expiresAt) && Objects.equals(deployment, r.deployment) && Arrays.equals(turn, r.turn) && Arrays.equals(response, r.response);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, previousId, keyId, teamId, model, createdAt, expiresAt, deployment) * 31
                + Arrays.hashCode(turn) * 17 + Arrays.hashCode(response);
    }

    @Override
    public String toString() {
        return "StoredResponse[id=" + id + ", previousId=" + previousId + ", keyId=" + keyId + ", teamId=" + teamId + ", model="
                + model + ", createdAt=" + createdAt + ", expiresAt=" + expiresAt + ", deployment=" + deployment + ", turn="
                + turn.length + " bytes, response=" + response.length + " bytes]";
    }

    /** Builds a {@link StoredResponse}: id, model, createdAt, turn and response are required. */
    public static final class Builder {
        private String id;
        private String previousId;
        private String keyId;
        private String teamId;
        private String model;
        private Instant createdAt;
        private Instant expiresAt;
        private String deployment;
        private byte[] turn;
        private byte[] response;

        private Builder() {}

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder previousId(String previousId) {
            this.previousId = previousId;
            return this;
        }

        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        public Builder teamId(String teamId) {
            this.teamId = teamId;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        public Builder deployment(String deployment) {
            this.deployment = deployment;
            return this;
        }

        public Builder turn(byte[] turn) {
            this.turn = turn;
            return this;
        }

        public Builder response(byte[] response) {
            this.response = response;
            return this;
        }

        /** @throws NullPointerException when id, model, createdAt, turn or response is missing */
        public StoredResponse build() {
            return new StoredResponse(this);
        }
    }
}

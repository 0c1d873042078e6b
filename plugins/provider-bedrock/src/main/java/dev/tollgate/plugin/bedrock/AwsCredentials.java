package dev.tollgate.plugin.bedrock;

import static java.util.Objects.requireNonNull;

/**
 * An AWS access key: its id, its secret and, for temporary credentials, the session token. Neither
 * {@link #toString()} nor any message built from it shows the secret or the token.
 *
 * @param source where the key was found ({@code config}, {@code environment}, {@code profile default}), for logs
 */
record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken, String source) {

    AwsCredentials {
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(secretAccessKey, "secretAccessKey is null");
        requireNonNull(source, "source is null");
        if (sessionToken != null && sessionToken.isEmpty()) {
            sessionToken = null;
        }
    }

    /** Replaces the secret and the token in {@code text} with {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text.replace(secretAccessKey, "***");
        return sessionToken == null ? out : out.replace(sessionToken, "***");
    }

    @Override
    public String toString() {
        return "AwsCredentials[" + accessKeyId + ", secret ***" + (sessionToken == null ? "" : ", session token ***") + ", from "
                + source + "]";
    }
}

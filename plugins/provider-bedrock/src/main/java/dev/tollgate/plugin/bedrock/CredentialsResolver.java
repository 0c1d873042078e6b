package dev.tollgate.plugin.bedrock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the deployment's AWS credentials and region once, at start, in the usual places:
 *
 * <ol>
 *   <li>the deployment's config ({@code access_key_id}, {@code secret_access_key}, {@code session_token},
 *       secret references);</li>
 *   <li>the environment: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}
 *       (skipped when the config names a {@code profile}: the operator chose that profile);</li>
 *   <li>the shared credentials file ({@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/credentials}),
 *       then the shared config file ({@code AWS_CONFIG_FILE}, else {@code ~/.aws/config}), in the profile
 *       the config names, else {@code AWS_PROFILE}, else {@code default}.</li>
 * </ol>
 *
 * The region comes from the config's {@code region}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, then
 * the profile's {@code region} in the shared config file. Instance metadata (IMDS), container credentials,
 * SSO and {@code credential_process} are not consulted. The environment and the home folder are
 * parameters, so tests need neither.
 */
final class CredentialsResolver {

    static final long MAX_FILE_BYTES = 1024 * 1024;

    /** What the deployment's config says; any field may be {@code null}. */
    record Configured(String accessKeyId, String secretAccessKey, String sessionToken, String profile, String region) {}

    /**
     * The outcome: credentials and region, each {@code null} when not found, with {@code problem}
     * saying what to set (never a secret).
     */
    record Resolved(AwsCredentials credentials, String region, String problem) {}

    private CredentialsResolver() {}

    static Resolved resolve(Configured configured, Map<String, String> env, Path home) {
        String profile = firstNonBlank(configured.profile(), env.get("AWS_PROFILE"), "default");
        Path credentialsFile = path(env.get("AWS_SHARED_CREDENTIALS_FILE"), home, "credentials");
        Path configFile = path(env.get("AWS_CONFIG_FILE"), home, "config");
        Map<String, Map<String, String>> credentialsIni;
        Map<String, Map<String, String>> configIni;
        try {
            credentialsIni = ini(credentialsFile);
            configIni = ini(configFile);
        } catch (IOException e) {
            return new Resolved(null, configured.region(), "the AWS shared credentials or config file cannot be read: " + e.getClass().getSimpleName());
        }
        Map<String, String> fromCredentials = credentialsIni.getOrDefault(profile, Map.of());
        Map<String, String> fromConfig = configIni.getOrDefault(profile.equals("default") ? "default" : "profile " + profile,
                configIni.getOrDefault(profile, Map.of()));

        String region = firstNonBlank(configured.region(), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"), fromConfig.get("region"));

        AwsCredentials credentials = null;
        String problem = null;
        if (configured.accessKeyId() != null || configured.secretAccessKey() != null) {
            if (isBlank(configured.accessKeyId()) || isBlank(configured.secretAccessKey())) {
                problem = "this deployment's access_key_id or secret_access_key refers to a variable or file that is empty or unset";
            } else {
                credentials = new AwsCredentials(configured.accessKeyId(), configured.secretAccessKey(), configured.sessionToken(), "config");
            }
        } else if (configured.profile() == null && (!isBlank(env.get("AWS_ACCESS_KEY_ID")) || !isBlank(env.get("AWS_SECRET_ACCESS_KEY")))) {
            if (isBlank(env.get("AWS_ACCESS_KEY_ID")) || isBlank(env.get("AWS_SECRET_ACCESS_KEY"))) {
                problem = "the environment sets only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
            } else {
                credentials = new AwsCredentials(env.get("AWS_ACCESS_KEY_ID").trim(), env.get("AWS_SECRET_ACCESS_KEY").trim(),
                        blankToNull(env.get("AWS_SESSION_TOKEN")), "environment");
            }
        } else {
            credentials = fromProfile(fromCredentials, "profile " + profile + " of " + credentialsFile.getFileName());
            if (credentials == null) {
                credentials = fromProfile(fromConfig, "profile " + profile + " of " + configFile.getFileName());
            }
            if (credentials == null) {
                problem = "no AWS credentials found: set access_key_id and secret_access_key in the deployment's config, "
                        + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws_access_key_id and aws_secret_access_key in profile '"
                        + profile + "' of the shared credentials file";
            }
        }
        if (region == null && problem == null) {
            problem = "no AWS region: set region in the deployment's config, AWS_REGION or AWS_DEFAULT_REGION";
        }
        return new Resolved(credentials, region, problem);
    }

    private static AwsCredentials fromProfile(Map<String, String> section, String source) {
        String id = section.get("aws_access_key_id");
        String secret = section.get("aws_secret_access_key");
        if (isBlank(id) || isBlank(secret)) {
            return null;
        }
        return new AwsCredentials(id, secret, blankToNull(section.get("aws_session_token")), source);
    }

    private static Path path(String override, Path home, String name) {
        if (!isBlank(override)) {
            return Path.of(override.trim());
        }
        return home.resolve(".aws").resolve(name);
    }

    /** An INI file as AWS writes it: {@code [section]}, {@code key = value}, {@code #} and {@code ;} comments. Absent is empty. */
    static Map<String, Map<String, String>> ini(Path file) throws IOException {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("file larger than " + MAX_FILE_BYTES + " bytes");
        }
        Map<String, String> section = null;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip().replaceAll("\\s+", " ");
                section = out.computeIfAbsent(name, k -> new HashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (section != null && eq > 0) {
                section.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (!isBlank(v)) {
                return v.trim();
            }
        }
        return null;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return isBlank(s) ? null : s.trim();
    }
}

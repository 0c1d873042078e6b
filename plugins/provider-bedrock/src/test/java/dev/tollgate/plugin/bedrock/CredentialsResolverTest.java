package dev.tollgate.plugin.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.plugin.bedrock.CredentialsResolver.Configured;
import dev.tollgate.plugin.bedrock.CredentialsResolver.Resolved;
import dev.tollgate.spi.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsResolverTest {

    private static final Configured NOTHING = new Configured(null, null, null, null, null);

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void files() throws IOException {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/credentials"), """
                # shared credentials
                [default]
                aws_access_key_id = AKIAFILEDEFAULT
                aws_secret_access_key = file-default-secret

                [prod]
                aws_access_key_id=AKIAFILEPROD
                aws_secret_access_key=file-prod-secret
                aws_session_token=file-prod-token
                """);
        Files.writeString(home.resolve(".aws/config"), """
                [default]
                region = eu-west-1
                [profile prod]
                region = us-west-2
                [profile cfgonly]
                aws_access_key_id = AKIACONFIGONLY
                aws_secret_access_key = config-only-secret
                """);
    }

    @Test
    void theDeploymentsConfigComesFirst() {
        env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        Resolved r = CredentialsResolver.resolve(new Configured("AKIACONFIG", "config-secret", null, null, "ap-south-1"), env, home);
        assertThat(r.credentials().accessKeyId()).isEqualTo("AKIACONFIG");
        assertThat(r.credentials().source()).isEqualTo("config");
        assertThat(r.region()).isEqualTo("ap-south-1");
        assertThat(r.problem()).isNull();
    }

    @Test
    void thenTheEnvironmentWithItsSessionTokenAndRegion() {
        env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        env.put("AWS_SESSION_TOKEN", "env-token");
        env.put("AWS_DEFAULT_REGION", "us-east-2");
        Resolved r = CredentialsResolver.resolve(NOTHING, env, home);
        assertThat(r.credentials()).isEqualTo(new AwsCredentials("AKIAENV", "env-secret", "env-token", "environment"));
        assertThat(r.region()).isEqualTo("us-east-2");
        env.put("AWS_REGION", "us-east-1");
        assertThat(CredentialsResolver.resolve(NOTHING, env, home).region()).as("AWS_REGION before AWS_DEFAULT_REGION").isEqualTo("us-east-1");
    }

    @Test
    void thenTheSharedCredentialsFileInTheDefaultProfileWithTheConfigFilesRegion() {
        Resolved r = CredentialsResolver.resolve(NOTHING, env, home);
        assertThat(r.credentials().accessKeyId()).isEqualTo("AKIAFILEDEFAULT");
        assertThat(r.credentials().sessionToken()).isNull();
        assertThat(r.region()).isEqualTo("eu-west-1");
    }

    @Test
    void awsProfileChoosesTheProfileAndAConfiguredProfileWinsOverTheEnvironment() {
        env.put("AWS_PROFILE", "prod");
        Resolved r = CredentialsResolver.resolve(NOTHING, env, home);
        assertThat(r.credentials()).isEqualTo(new AwsCredentials("AKIAFILEPROD", "file-prod-secret", "file-prod-token",
                "profile prod of credentials"));
        assertThat(r.region()).isEqualTo("us-west-2");

        env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        Resolved chosen = CredentialsResolver.resolve(new Configured(null, null, null, "cfgonly", null), env, home);
        assertThat(chosen.credentials().accessKeyId()).as("keys in the config file's profile").isEqualTo("AKIACONFIGONLY");
    }

    @Test
    void theFileLocationsFollowTheirVariables() throws IOException {
        Path other = home.resolve("elsewhere");
        Files.writeString(other, "[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n");
        env.put("AWS_SHARED_CREDENTIALS_FILE", other.toString());
        env.put("AWS_REGION", "us-east-1");
        assertThat(CredentialsResolver.resolve(NOTHING, env, home).credentials().accessKeyId()).isEqualTo("AKIAOTHER");
    }

    @Test
    void nothingFoundSaysWhatToSetWithoutFailingTheStart() {
        Resolved r = CredentialsResolver.resolve(NOTHING, env, home.resolve("no-such-home"));
        assertThat(r.credentials()).isNull();
        assertThat(r.problem()).contains("AWS_ACCESS_KEY_ID").contains("profile 'default'");
        env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
        assertThat(CredentialsResolver.resolve(NOTHING, env, home).problem()).contains("only one of");
    }

    @Test
    void theAdapterFailsRequestsWith502UntilCredentialsExist() {
        BedrockConfig c = BedrockConfig.from(TestSupport.config(Map.of("region", "us-east-1")), Map.of(), home.resolve("none"));
        assertThat(c.problem()).contains("no AWS credentials");
        assertThat(c.toString()).contains("none (");
    }

    @Test
    void aConfigNamingOnlyHalfOfAKeyFailsTheStart() {
        assertThatThrownBy(() -> BedrockConfig.from(TestSupport.config(Map.of("access_key_id", "AKIA")), env, home))
                .isInstanceOf(ConfigException.class).hasMessageContaining("secret_access_key");
        assertThatThrownBy(() -> BedrockConfig.from(TestSupport.config(Map.of("regoin", "us-east-1")), env, home))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key");
    }

    @Test
    void noSecretShowsInToStringOrRedactedText() {
        BedrockConfig c = BedrockConfig.from(TestSupport.config(TestSupport.withKey("session_token", "the-session-token")), env, home);
        assertThat(c.toString()).contains("AKIDEXAMPLE").doesNotContain(TestSupport.SECRET).doesNotContain("the-session-token");
        assertThat(c.redact("x " + TestSupport.SECRET + " the-session-token")).isEqualTo("x *** ***");
        assertThat(TestSupport.adapter(TestSupport.withKey()).toString()).doesNotContain(TestSupport.SECRET);
    }
}

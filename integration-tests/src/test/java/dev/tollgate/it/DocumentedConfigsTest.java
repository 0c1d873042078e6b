package dev.tollgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The configurations the documentation shows start as written, without OPENAI_API_KEY in the environment. */
class DocumentedConfigsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** An environment in which OPENAI_API_KEY is unset, whatever the machine has. */
    private static Map<String, String> withoutOpenAiKey() {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_API_KEY", null);
        return env;
    }

    private static String models(TestGateway g) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(g.uri("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theReadmesConfigurationExampleStartsWithoutAnOpenAiKey() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Configuration");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        assertThat(yaml).contains("${env:OPENAI_API_KEY:-}");
        try (TestGateway g = TestGateway.start(yaml, withoutOpenAiKey())) {
            assertThat(models(g)).contains("\"mock\"").contains("\"gpt-4o-mini\"");
        }
    }

    @Test
    void theShippedConfigsOpenAiExampleStartsWithoutAnOpenAiKeyOnceUncommented() throws Exception {
        String shipped = Files.readString(ROOT.resolve("distribution/src/conf/tollgate.yaml"));
        int from = shipped.indexOf("  # gpt-4o-mini:");
        int to = shipped.indexOf("  #\n", from);
        String block = shipped.substring(from, to).lines().map(l -> l.replaceFirst("^  # ", "  "))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(block).contains("api_key: ${env:OPENAI_API_KEY:-}").doesNotContain("#");
        try (TestGateway g = TestGateway.start(shipped.substring(0, from) + block + shipped.substring(to), withoutOpenAiKey())) {
            assertThat(models(g)).contains("\"mock\"").contains("\"gpt-4o-mini\"");
        }
    }

    @Test
    void theShippedConfigsAnthropicExampleStartsWithoutAnAnthropicKeyOnceUncommented() throws Exception {
        String shipped = Files.readString(ROOT.resolve("distribution/src/conf/tollgate.yaml"));
        int from = shipped.indexOf("  # claude-sonnet-4-5:");
        int to = shipped.indexOf("  #\n", from);
        String block = shipped.substring(from, to).lines().map(l -> l.replaceFirst("^  # ", "  "))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(block).contains("provider: anthropic").contains("api_key: ${env:ANTHROPIC_API_KEY:-}");
        Map<String, String> env = withoutOpenAiKey();
        env.put("ANTHROPIC_API_KEY", null);
        try (TestGateway g = TestGateway.start(shipped.substring(0, from) + block + shipped.substring(to), env)) {
            assertThat(models(g)).contains("\"mock\"").contains("\"claude-sonnet-4-5\"");
        }
    }
}

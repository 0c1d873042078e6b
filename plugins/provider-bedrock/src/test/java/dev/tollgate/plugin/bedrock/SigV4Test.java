package dev.tollgate.plugin.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The signer against AWS's published SigV4 test suite (src/test/resources/sigv4/README.md names the source). */
class SigV4Test {

    private static final AwsCredentials EXAMPLE = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            null, "test");

    static Stream<String> cases() {
        return resource("cases.txt").lines().filter(l -> !l.isBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void authorizationHeaderMatchesTheSuite(String name) {
        SigV4.Signature s = signSuiteRequest(resource(name + ".req"));
        assertThat(s.authorization()).isEqualTo(resource(name + ".authz").strip());
    }

    @Test
    void canonicalRequestAndStringToSignMatchThePublishedExample() {
        SigV4.Signature s = signSuiteRequest(resource("get-vanilla-query-order-key-case.req"));
        assertThat(s.canonicalRequest()).isEqualTo(resource("get-vanilla-query-order-key-case.creq"));
        assertThat(s.stringToSign()).isEqualTo(resource("get-vanilla-query-order-key-case.sts"));
        assertThat(s.signature()).isEqualTo("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    }

    @Test
    void aBedrockModelIdIsEncodedTwiceInTheCanonicalUri() {
        // sent as /model/amazon.nova-pro-v1%3A0/converse; SigV4 encodes each segment once more for non-S3 services
        assertThat(SigV4.canonicalUri("/model/amazon.nova-pro-v1%3A0/converse"))
                .isEqualTo("/model/amazon.nova-pro-v1%253A0/converse");
        assertThat(SigV4.canonicalUri("")).isEqualTo("/");
    }

    @Test
    void theDateComesFromXAmzDateAndMustBePresent() {
        assertThat(SigV4.amzDate(Instant.parse("2015-08-30T12:36:00Z"))).isEqualTo("20150830T123600Z");
        assertThatThrownBy(() -> SigV4.sign("GET", "/", null, List.of(Map.entry("Host", "example.amazonaws.com")),
                SigV4.sha256Hex(new byte[0]), EXAMPLE, "us-east-1", "service"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-amz-date");
    }

    /** Parses a suite {@code .req} (request line, headers, blank line, body) and signs it. */
    static SigV4.Signature signSuiteRequest(String req) {
        int blank = req.indexOf("\n\n");
        String head = req.substring(0, blank);
        String body = req.substring(blank + 2);
        List<String> lines = head.lines().toList();
        String[] requestLine = lines.get(0).split(" ");
        String target = requestLine[1];
        int q = target.indexOf('?');
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1)));
        }
        return SigV4.sign(requestLine[0], q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1), headers,
                SigV4.sha256Hex(body.getBytes(StandardCharsets.UTF_8)), EXAMPLE, "us-east-1", "service");
    }

    private static String resource(String name) {
        try (InputStream in = SigV4Test.class.getResourceAsStream("/sigv4/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no vector " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

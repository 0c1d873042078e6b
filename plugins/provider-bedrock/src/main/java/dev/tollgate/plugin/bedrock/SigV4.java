package dev.tollgate.plugin.bedrock;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) for requests signed in the {@code Authorization}
 * header, written from AWS's specification of the signing process:
 *
 * <ol>
 *   <li>the canonical request: method, canonical URI, canonical query, canonical headers, signed
 *       headers and the hex SHA-256 of the payload, one per line;</li>
 *   <li>the string to sign: the algorithm, the {@code x-amz-date}, the credential scope
 *       ({@code date/region/service/aws4_request}) and the hex SHA-256 of the canonical request;</li>
 *   <li>the signing key: HMAC-SHA256 chained over {@code "AWS4" + secret}, the date, the region, the
 *       service and {@code aws4_request}; the signature is the hex HMAC of the string to sign with it.</li>
 * </ol>
 *
 * <p>The canonical URI encodes every byte of each path segment of the path <em>as sent</em>, except
 * the unreserved characters {@code A-Z a-z 0-9 - _ . ~}: for every service but S3 the path is so
 * encoded twice, so a Bedrock model id {@code amazon.nova-pro-v1:0} sent as {@code amazon.nova-pro-v1%3A0}
 * is signed as {@code amazon.nova-pro-v1%253A0}. Paths are not normalised (dot segments, repeated
 * slashes): the adapter never sends such paths. Only header signing is supported, not presigned URLs
 * or chunked payload signing.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private SigV4() {}

    /** Every step of one signature, so that tests can check each against the published vectors. */
    record Signature(String canonicalRequest, String stringToSign, String signature, String signedHeaders, String authorization) {}

    /**
     * Signs a request whose {@code headers} already hold every header to sign, {@code host} and
     * {@code x-amz-date} (and {@code x-amz-security-token} for temporary credentials) included.
     *
     * @param rawPath  the path as it goes on the wire (percent-encoded), empty for {@code /}
     * @param rawQuery the query as it goes on the wire, or {@code null}
     * @param headers  name and value pairs; names in any case, repeated names allowed
     */
    static Signature sign(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
            String payloadSha256Hex, AwsCredentials credentials, String region, String service) {
        TreeMap<String, List<String>> byName = new TreeMap<>();
        for (Map.Entry<String, String> h : headers) {
            byName.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(trimAll(h.getValue()));
        }
        List<String> amzDate = byName.get("x-amz-date");
        if (amzDate == null || amzDate.size() != 1 || amzDate.get(0).length() != 16) {
            throw new IllegalArgumentException("a signed request needs exactly one x-amz-date header of the form yyyyMMddTHHmmssZ");
        }
        if (!byName.containsKey("host")) {
            throw new IllegalArgumentException("a signed request needs its host header");
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        StringBuilder signedHeaders = new StringBuilder();
        for (Map.Entry<String, List<String>> e : byName.entrySet()) {
            canonicalHeaders.append(e.getKey()).append(':').append(String.join(",", e.getValue())).append('\n');
            signedHeaders.append(signedHeaders.isEmpty() ? "" : ";").append(e.getKey());
        }
        String canonicalRequest = method + '\n' + canonicalUri(rawPath) + '\n' + canonicalQuery(rawQuery) + '\n'
                + canonicalHeaders + '\n' + signedHeaders + '\n' + payloadSha256Hex;
        String dateTime = amzDate.get(0);
        String date = dateTime.substring(0, 8);
        String scope = date + '/' + region + '/' + service + "/aws4_request";
        String stringToSign = ALGORITHM + '\n' + dateTime + '\n' + scope + '\n' + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = HEX.formatHex(hmac(key, stringToSign));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + '/' + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
        return new Signature(canonicalRequest, stringToSign, signature, signedHeaders.toString(), authorization);
    }

    /** The {@code x-amz-date} value of {@code at}. */
    static String amzDate(Instant at) {
        return AMZ_DATE.format(at);
    }

    static String sha256Hex(byte[] bytes) {
        return sha256Hex(bytes, 0, bytes.length);
    }

    static String sha256Hex(byte[] bytes, int offset, int length) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(bytes, offset, length);
            return HEX.formatHex(d.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** Each segment of the path encoded once more; an empty path is {@code /}. */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(rawPath.length() + 16);
        int start = 0;
        while (true) {
            int slash = rawPath.indexOf('/', start);
            encode(rawPath.substring(start, slash < 0 ? rawPath.length() : slash), out);
            if (slash < 0) {
                return out.toString();
            }
            out.append('/');
            start = slash + 1;
        }
    }

    /** The parameters decoded, encoded the SigV4 way and sorted by name, then value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> params = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            StringBuilder n = new StringBuilder();
            encode(percentDecode(name), n);
            StringBuilder v = new StringBuilder();
            encode(percentDecode(value), v);
            params.add(new String[] {n.toString(), v.toString()});
        }
        params.sort((a, b) -> {
            int c = a[0].compareTo(b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder();
        for (String[] p : params) {
            out.append(out.isEmpty() ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** SigV4's URI encoding: every UTF-8 byte but the unreserved characters as {@code %XX}, upper-case hex. */
    private static void encode(String s, StringBuilder out) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xf]);
            }
        }
    }

    /** Decodes {@code %XX} escapes (a malformed escape stays as written); {@code +} is a plus sign, not a space. */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(in[i + 2], 16);
            if (lo >= 0) {
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = in[i];
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Leading and trailing whitespace removed, inner runs of spaces collapsed to one. */
    private static String trimAll(String value) {
        String v = value.strip();
        if (v.indexOf("  ") < 0) {
            return v;
        }
        StringBuilder out = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != ' ' || out.charAt(out.length() - 1) != ' ') {
                out.append(c);
            }
        }
        return out.toString();
    }
}

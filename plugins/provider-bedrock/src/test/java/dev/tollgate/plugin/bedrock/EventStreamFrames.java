package dev.tollgate.plugin.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A test-only encoder of the AWS event-stream framing, written independently of the decoder from
 * the framing's description, to build ConverseStream answers from the fixtures.
 *
 * <p>A stream fixture ({@code *.events}) has one message per line: {@code <event-type> <json payload>}
 * for an event, {@code exception:<exception-type> <json payload>} for a modelled exception; blank
 * lines and lines starting with {@code #} are ignored.
 */
final class EventStreamFrames {

    private EventStreamFrames() {}

    /** A message with string headers (name, value pairs) and {@code payload}. */
    static byte[] frame(byte[] payload, String... stringHeaders) {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        for (int i = 0; i < stringHeaders.length; i += 2) {
            byte[] name = stringHeaders[i].getBytes(StandardCharsets.UTF_8);
            byte[] value = stringHeaders[i + 1].getBytes(StandardCharsets.UTF_8);
            headers.write(name.length);
            headers.writeBytes(name);
            headers.write(7);
            headers.write(value.length >> 8);
            headers.write(value.length & 0xff);
            headers.writeBytes(value);
        }
        int total = 12 + headers.size() + payload.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        writeInt(out, total);
        writeInt(out, headers.size());
        writeInt(out, crc(out.toByteArray()));
        out.writeBytes(headers.toByteArray());
        out.writeBytes(payload);
        writeInt(out, crc(out.toByteArray()));
        return out.toByteArray();
    }

    /** An {@code event} message as ConverseStream sends it. */
    static byte[] event(String type, String json) {
        return frame(json.getBytes(StandardCharsets.UTF_8), ":event-type", type, ":content-type", "application/json",
                ":message-type", "event");
    }

    /** An {@code exception} message as ConverseStream sends it. */
    static byte[] exception(String type, String json) {
        return frame(json.getBytes(StandardCharsets.UTF_8), ":exception-type", type, ":content-type", "application/json",
                ":message-type", "exception");
    }

    /** The messages of a {@code *.events} fixture, framed, in order. */
    static List<byte[]> messages(String fixture) {
        List<byte[]> out = new ArrayList<>();
        for (String line : fixture.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String type = line.substring(0, space);
            String json = line.substring(space + 1);
            out.add(type.startsWith("exception:") ? exception(type.substring("exception:".length()), json) : event(type, json));
        }
        return out;
    }

    /** A {@code *.events} fixture as one byte stream. */
    static byte[] stream(String fixture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        messages(fixture).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16 & 0xff);
        out.write(v >>> 8 & 0xff);
        out.write(v & 0xff);
    }

    private static int crc(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return (int) c.getValue();
    }
}

package dev.tollgate.plugin.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.plugin.bedrock.EventStreamDecoder.EventStreamException;
import dev.tollgate.plugin.bedrock.EventStreamDecoder.Message;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamDecoderTest {

    private final List<Message> decoded = new ArrayList<>();
    private final EventStreamDecoder decoder = new EventStreamDecoder(decoded::add, 4096);

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private void feed(byte[] b) {
        decoder.feed(ByteBuffer.wrap(b).asReadOnlyBuffer());
    }

    // AWS's event-stream test vectors (aws-c-event-stream, as the AWS SDK for JavaScript v3 ships them in
    // eventstream-marshaller's TestVectors.fixture.ts): byte-exact frames and what they decode to.
    private static final byte[] EMPTY_MESSAGE = bytes(0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255);
    private static final byte[] INT32_HEADER = bytes(0, 0, 0, 45, 0, 0, 0, 16, 65, 196, 36, 184, 10, 101, 118, 101, 110, 116, 45,
            116, 121, 112, 101, 4, 0, 0, 160, 12, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 54, 244, 128, 160);
    private static final byte[] PAYLOAD_ONE_STR_HEADER = bytes(0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116,
            101, 110, 116, 45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110,
            123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8, 177);
    private static final byte[] CORRUPTED_LENGTH = bytes(1, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58,
            39, 98, 97, 114, 39, 125, 195, 101, 57, 54);
    private static final byte[] CORRUPTED_PAYLOAD = bytes(0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58,
            39, 98, 97, 114, 39, 141, 195, 101, 57, 54);

    @Test
    void decodesAwsPublishedVectors() {
        feed(EMPTY_MESSAGE);
        feed(INT32_HEADER);
        feed(PAYLOAD_ONE_STR_HEADER);

        assertThat(decoded).hasSize(3);
        assertThat(decoded.get(0).headers()).isEmpty();
        assertThat(decoded.get(0).payload()).isEmpty();
        assertThat(decoded.get(1).header("event-type")).isEqualTo("40972");
        assertThat(new String(decoded.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("{'foo':'bar'}");
        assertThat(decoded.get(2).header("content-type")).isEqualTo("application/json");
        assertThat(new String(decoded.get(2).payload(), StandardCharsets.UTF_8)).isEqualTo("{'foo':'bar'}");
    }

    @Test
    void theTestEncoderProducesTheVectorsBytes() {
        assertThat(EventStreamFrames.frame(new byte[0])).isEqualTo(EMPTY_MESSAGE);
        assertThat(EventStreamFrames.frame("{'foo':'bar'}".getBytes(StandardCharsets.UTF_8), "content-type", "application/json"))
                .isEqualTo(PAYLOAD_ONE_STR_HEADER);
    }

    @Test
    void rejectsTheVectorWithACorruptedLengthAsABadPreludeCrc() {
        assertThatThrownBy(() -> feed(CORRUPTED_LENGTH)).isInstanceOf(EventStreamException.class).hasMessageContaining("prelude CRC");
        assertThat(decoded).isEmpty();
    }

    @Test
    void rejectsTheVectorWithACorruptedPayloadAsABadMessageCrc() {
        assertThatThrownBy(() -> feed(CORRUPTED_PAYLOAD)).isInstanceOf(EventStreamException.class).hasMessageContaining("message CRC");
        assertThat(decoded).isEmpty();
    }

    @Test
    void decodesTheSameMessagesWhateverByteTheStreamIsSplitAt() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(EventStreamFrames.event("messageStart", "{\"role\":\"assistant\"}"));
        all.writeBytes(PAYLOAD_ONE_STR_HEADER);
        all.writeBytes(EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"h\u00e9llo\"}}"));
        byte[] stream = all.toByteArray();
        for (int cut = 0; cut <= stream.length; cut++) {
            for (int second = cut; second <= stream.length; second += 7) {
                List<Message> got = new ArrayList<>();
                EventStreamDecoder d = new EventStreamDecoder(got::add, 4096);
                d.feed(ByteBuffer.wrap(stream, 0, cut));
                d.feed(ByteBuffer.wrap(stream, cut, second - cut));
                d.feed(ByteBuffer.wrap(stream, second, stream.length - second));
                d.finish();
                assertThat(got).as("split at %d and %d", cut, second).hasSize(3);
                assertThat(got.get(0).header(":event-type")).isEqualTo("messageStart");
                assertThat(got.get(1).header("content-type")).isEqualTo("application/json");
                assertThat(new String(got.get(2).payload(), StandardCharsets.UTF_8)).contains("h\u00e9llo");
            }
        }
    }

    @Test
    void oneByteAtATimeDecodesEveryMessage() {
        byte[] stream = EventStreamFrames.stream("messageStart {\"role\":\"assistant\"}\nmessageStop {\"stopReason\":\"end_turn\"}\n");
        for (byte b : stream) {
            feed(new byte[] {b});
        }
        decoder.finish();
        assertThat(decoded).extracting(m -> m.header(":event-type")).containsExactly("messageStart", "messageStop");
        assertThat(decoder.messages()).isEqualTo(2);
    }

    @Test
    void aLengthAboveTheLimitFailsBeforeAnyOfItIsBuffered() {
        byte[] big = EventStreamFrames.frame(new byte[5000], ":event-type", "contentBlockDelta");
        assertThatThrownBy(() -> feed(java.util.Arrays.copyOf(big, 12))).isInstanceOf(EventStreamException.class)
                .hasMessageContaining("limit is 4096");
    }

    @Test
    void aHeadersLengthPastTheMessageFails() {
        byte[] frame = EventStreamFrames.frame("{}".getBytes(StandardCharsets.UTF_8));
        // headers length 100 in a 18-byte message, with a prelude CRC that matches it
        byte[] prelude = {0, 0, 0, (byte) frame.length, 0, 0, 0, 100};
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(prelude);
        int c = (int) crc.getValue();
        byte[] bad = java.util.Arrays.copyOf(prelude, 12);
        bad[8] = (byte) (c >>> 24);
        bad[9] = (byte) (c >>> 16);
        bad[10] = (byte) (c >>> 8);
        bad[11] = (byte) c;
        assertThatThrownBy(() -> feed(bad)).isInstanceOf(EventStreamException.class).hasMessageContaining("bytes of headers");
    }

    @Test
    void aStreamCutInsideAMessageIsTruncated() {
        byte[] frame = EventStreamFrames.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        feed(java.util.Arrays.copyOf(frame, frame.length - 3));
        assertThatThrownBy(decoder::finish).isInstanceOf(EventStreamException.class).hasMessageContaining("ended inside a message");
        assertThat(decoded).isEmpty();
    }

    @Test
    void aFailedDecoderStaysFailed() {
        assertThatThrownBy(() -> feed(CORRUPTED_PAYLOAD)).isInstanceOf(EventStreamException.class);
        assertThatThrownBy(() -> feed(EMPTY_MESSAGE)).isInstanceOf(EventStreamException.class).hasMessageContaining("already failed");
        assertThat(decoded).isEmpty();
    }
}

package dev.tollgate.kernel.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One cached answer: the canonical response, when it stops being valid, and what it cost when it
 * was made (what a hit saves). Stored in the gateway's own binary form, which every tier keeps as
 * opaque bytes: a magic number and version, the key it was stored under (so an entry read back
 * under another key, whatever the tier did, is never served), the fields, and a CRC-32C over all
 * of it. {@link #decode} throws {@link Corrupt} for anything that does not check out.
 *
 * @param expiresAtMillis wall-clock expiry, so a tier that outlives its TTL (or a copy of a shared
 *                        entry put into the local tier) never serves it late
 * @param costMicros      the cost of the call that produced it, or -1 when unknown
 * @param deploymentId    the deployment that answered
 */
public record CacheEntry(String key, ChatResponse response, long storedAtMillis, long expiresAtMillis, long costMicros,
        String deploymentId) {

    private static final int MAGIC = 0x54474331; // "TGC1"
    /** Entries larger than this are never decoded: no tier should hold one, and a corrupt length must not allocate. */
    static final int MAX_FIELD = 64 << 20;

    public CacheEntry {
        requireNonNull(key, "key is null");
        requireNonNull(response, "response is null");
    }

    /** An entry that could not be read: corrupt, truncated, another key's, or another version's. */
    public static final class Corrupt extends Exception {
        Corrupt(String message) {
            super(message, null, false, false);
        }
    }

    public Bytes encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + response.text().length() * 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            string(out, key);
            out.writeLong(storedAtMillis);
            out.writeLong(expiresAtMillis);
            out.writeLong(costMicros);
            string(out, deploymentId);
            ChatResponse r = response;
            string(out, r.id());
            string(out, r.model());
            out.writeLong(r.created());
            out.writeByte(r.stopReason().ordinal());
            string(out, r.stopSequence().orElse(null));
            Usage u = r.usage().orElse(null);
            out.writeBoolean(u != null);
            if (u != null) {
                out.writeLong(u.inputTokens());
                out.writeLong(u.outputTokens());
                out.writeLong(u.cachedInputTokens());
                out.writeLong(u.cacheWriteTokens());
                out.writeLong(u.reasoningTokens());
            }
            out.writeInt(r.content().size());
            for (ContentBlock b : r.content()) {
                switch (b) {
                    case ContentBlock.Text t -> {
                        out.writeByte('T');
                        string(out, t.text());
                    }
                    case ContentBlock.Thinking t -> {
                        out.writeByte('H');
                        string(out, t.thinking());
                        string(out, t.signature());
                    }
                    case ContentBlock.ToolUse t -> {
                        out.writeByte('U');
                        string(out, t.id());
                        string(out, t.name());
                        string(out, t.arguments());
                    }
                    case ContentBlock.RedactedThinking t -> {
                        out.writeByte('R');
                        string(out, t.data());
                    }
                    default -> throw new IllegalArgumentException("a " + b.kind() + " block cannot be cached");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 4);
        int c = (int) crc.getValue();
        out[body.length] = (byte) (c >>> 24);
        out[body.length + 1] = (byte) (c >>> 16);
        out[body.length + 2] = (byte) (c >>> 8);
        out[body.length + 3] = (byte) c;
        return Bytes.wrapOwned(out);
    }

    /** Whether the canonical response can be stored: every block is one the encoding carries. */
    public static boolean storable(ChatResponse r) {
        for (ContentBlock b : r.content()) {
            if (!(b instanceof ContentBlock.Text || b instanceof ContentBlock.Thinking || b instanceof ContentBlock.ToolUse
                    || b instanceof ContentBlock.RedactedThinking)) {
                return false;
            }
        }
        return true;
    }

    /** Reads an entry stored under {@code expectedKey}. */
    public static CacheEntry decode(Bytes stored, String expectedKey) throws Corrupt {
        byte[] a = stored.toArray();
        if (a.length < 8) {
            throw new Corrupt("too short (" + a.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(a, 0, a.length - 4);
        int expected = ((a[a.length - 4] & 0xFF) << 24) | ((a[a.length - 3] & 0xFF) << 16) | ((a[a.length - 2] & 0xFF) << 8)
                | (a[a.length - 1] & 0xFF);
        if ((int) crc.getValue() != expected) {
            throw new Corrupt("checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(a, 0, a.length - 4))) {
            if (in.readInt() != MAGIC) {
                throw new Corrupt("not a Tollgate cache entry of this version");
            }
            String key = string(in);
            if (!expectedKey.equals(key)) {
                throw new Corrupt("stored under another key");
            }
            long storedAt = in.readLong();
            long expiresAt = in.readLong();
            long cost = in.readLong();
            String deployment = string(in);
            ChatResponse.Builder b = ChatResponse.builder().id(string(in)).model(string(in)).created(in.readLong());
            int reason = in.readUnsignedByte();
            if (reason >= StopReason.values().length) {
                throw new Corrupt("unknown stop reason " + reason);
            }
            b.stopReason(StopReason.values()[reason]);
            b.stopSequence(string(in));
            if (in.readBoolean()) {
                b.usage(Usage.builder().inputTokens(in.readLong()).outputTokens(in.readLong()).cachedInputTokens(in.readLong())
                        .cacheWriteTokens(in.readLong()).reasoningTokens(in.readLong()).build());
            }
            int blocks = in.readInt();
            if (blocks < 0 || blocks > 100_000) {
                throw new Corrupt("bad block count " + blocks);
            }
            for (int i = 0; i < blocks; i++) {
                int tag = in.readUnsignedByte();
                b.addContent(switch (tag) {
                    case 'T' -> ContentBlock.Text.of(string(in));
                    case 'H' -> new ContentBlock.Thinking(string(in), string(in));
                    case 'U' -> new ContentBlock.ToolUse(string(in), string(in), string(in));
                    case 'R' -> new ContentBlock.RedactedThinking(string(in));
                    default -> throw new Corrupt("unknown block tag " + tag);
                });
            }
            if (in.available() != 0) {
                throw new Corrupt("trailing bytes");
            }
            return new CacheEntry(key, b.build(), storedAt, expiresAt, cost, deployment);
        } catch (IOException | RuntimeException e) {
            throw new Corrupt("unreadable: " + e.getMessage());
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException, Corrupt {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_FIELD || n > in.available()) {
            throw new Corrupt("bad length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}

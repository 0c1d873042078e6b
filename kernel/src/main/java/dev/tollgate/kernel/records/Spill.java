package dev.tollgate.kernel.records;

import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Records a sink could not take yet, on disk: numbered segment files of checksummed frames, oldest
 * replayed first. Bounded by bytes: an append that would pass the bound is refused, and the caller
 * counts those records as dropped. A frame cut short by a crash is cut off at the next open; a
 * frame whose checksum does not match is moved, with its segment, to {@code dead/} and counted as
 * dead-lettered. Thread-safe.
 */
final class Spill implements AutoCloseable {

    static final long SEGMENT_BYTES = 4L << 20;
    private static final int MAGIC = 0x54475331; // "TGS1"
    private static final int HEADER = 4 + 4 + 4 + 4;
    private static final int MAX_FRAME_BYTES = 64 << 20;
    private static final String SUFFIX = ".spill";

    /** A segment taken for replay: its records, and how many of its frames could not be read. */
    record Segment(long seq, Path file, List<RequestRecord> records, int corrupt) {}

    private final Path dir;
    private final long maxBytes;
    /** Segment number → records in it not yet replayed. */
    private final TreeMap<Long, Integer> counts = new TreeMap<>();
    private final TreeMap<Long, Long> sizes = new TreeMap<>();
    private long nextSeq;
    private FileChannel current;
    private long currentSeq = -1;
    private long records;
    private long bytes;
    private boolean closed;

    private Spill(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** Opens the spill folder, creating it, and counts what an earlier run left in it. */
    static Spill open(Path dir, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        Spill s = new Spill(dir, maxBytes);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                long seq;
                try {
                    seq = Long.parseLong(f.getFileName().toString().replace(SUFFIX, ""));
                } catch (NumberFormatException e) {
                    continue;
                }
                int n = s.scan(f);
                long size = Files.size(f);
                if (n == 0) {
                    Files.deleteIfExists(f);
                    continue;
                }
                s.counts.put(seq, n);
                s.sizes.put(seq, size);
                s.records += n;
                s.bytes += size;
                s.nextSeq = Math.max(s.nextSeq, seq + 1);
            }
        }
        return s;
    }

    /** Counts the records of the complete frames of a segment, cutting off a last frame a crash left half written. */
    private int scan(Path f) throws IOException {
        int n = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = 0;
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(HEADER);
            while (pos + HEADER <= size) {
                head.clear();
                ch.read(head, pos);
                head.flip();
                int magic = head.getInt();
                int count = head.getInt();
                int length = head.getInt();
                if (magic != MAGIC || count < 0 || length < 0 || length > MAX_FRAME_BYTES || pos + HEADER + length > size) {
                    break;
                }
                n += count;
                pos += HEADER + length;
            }
            if (pos < size) {
                ch.truncate(pos);
            }
        }
        return n;
    }

    /** Writes records durably (forced to disk); false, writing nothing, when the spill is full or the disk fails. */
    synchronized boolean append(List<RequestRecord> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        if (closed) {
            return false;
        }
        try {
            byte[] payload = RecordCodec.encode(batch);
            long frame = HEADER + payload.length;
            if (bytes + frame > maxBytes || payload.length > MAX_FRAME_BYTES) {
                return false;
            }
            if (current == null || current.size() >= SEGMENT_BYTES) {
                roll();
            }
            CRC32C crc = new CRC32C();
            crc.update(payload);
            ByteBuffer buf = ByteBuffer.allocate((int) frame);
            buf.putInt(MAGIC).putInt(batch.size()).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
            long start = current.size();
            try {
                while (buf.hasRemaining()) {
                    current.write(buf);
                }
                current.force(false);
            } catch (IOException e) {
                current.truncate(start);
                throw e;
            }
            counts.merge(currentSeq, batch.size(), Integer::sum);
            sizes.merge(currentSeq, frame, Long::sum);
            records += batch.size();
            bytes += frame;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void roll() throws IOException {
        if (current != null) {
            current.close();
        }
        currentSeq = nextSeq++;
        current = FileChannel.open(file(currentSeq), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private Path file(long seq) {
        return dir.resolve(String.format("%020d%s", seq, SUFFIX));
    }

    /** The oldest segment, read whole (a segment is a few MiB); the one being appended to is closed first. Null when empty. */
    synchronized Segment oldest() {
        Map.Entry<Long, Integer> first = counts.firstEntry();
        if (first == null) {
            return null;
        }
        long seq = first.getKey();
        if (seq == currentSeq) {
            try {
                current.close();
            } catch (IOException ignored) {
                // the frames were forced already
            }
            current = null;
            currentSeq = -1;
        }
        Path f = file(seq);
        List<RequestRecord> out = new ArrayList<>();
        int corrupt = 0;
        try {
            ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(f));
            while (all.remaining() >= HEADER) {
                int magic = all.getInt();
                int count = all.getInt();
                int length = all.getInt();
                int crc = all.getInt();
                if (magic != MAGIC || length < 0 || length > all.remaining()) {
                    break;
                }
                byte[] payload = new byte[length];
                all.get(payload);
                CRC32C check = new CRC32C();
                check.update(payload);
                if ((int) check.getValue() != crc) {
                    corrupt += count;
                    continue;
                }
                try {
                    out.addAll(RecordCodec.decode(new ByteArrayInputStream(payload), count));
                } catch (IOException | RuntimeException e) {
                    corrupt += count;
                }
            }
        } catch (IOException e) {
            // unreadable: everything counted in it is dead
        }
        int expected = first.getValue();
        corrupt = Math.max(corrupt, expected - out.size());
        if (out.size() > expected) {
            out = out.subList(0, expected);
        }
        return new Segment(seq, f, out, corrupt);
    }

    /** {@code n} records of a taken segment left the spill (delivered or dead). */
    synchronized void consumed(Segment s, int n) {
        counts.computeIfPresent(s.seq(), (k, v) -> v - n);
        records -= n;
    }

    /** A taken segment is done: deleted, or moved to {@code dead/} when some of it could not be read. */
    synchronized void finish(Segment s) {
        Integer left = counts.remove(s.seq());
        Long size = sizes.remove(s.seq());
        if (left != null && left > 0) {
            records -= left;
        }
        if (size != null) {
            bytes -= size;
        }
        try {
            if (s.corrupt() > 0) {
                Path dead = dir.resolve("dead");
                Files.createDirectories(dead);
                Files.move(s.file(), dead.resolve(s.file().getFileName()), StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(s.file());
            }
        } catch (IOException ignored) {
            // at worst the segment is replayed again after a restart: records are delivered at least once
        }
    }

    synchronized long records() {
        return records;
    }

    synchronized long bytes() {
        return bytes;
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // forced at every append
            }
            current = null;
        }
    }
}

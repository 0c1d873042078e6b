package dev.tollgate.plugin.jsonl;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Appends each batch to the file of each record's day ({@link LogFiles}), one JSON object per line.
 *
 * <p>A call either appends the whole batch (and, with {@code fsync: batch}, forces it to the disk)
 * or throws; on a failure the bytes this call appended are cut off again, so that a retry never
 * follows a torn line. Delivery is at least once: a batch the kernel retries after an error it
 * could not see (a crash after the append) appears twice, and readers de-duplicate by
 * {@code request_id}.
 *
 * <p>Only the current file of the days in the last batch stays open. The kernel calls {@link #write}
 * from one thread; the methods are synchronized anyway, since {@link #close} may come from another.
 */
final class JsonlSink implements LogSink {

    private final JsonlSinkConfig config;
    private final Clock clock;
    private final System.Logger log;
    private final JsonFactory json = new JsonFactory();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(64 * 1024);
    private final Map<LocalDate, Segment> open = new HashMap<>();
    private LocalDate sweptFor;
    private boolean closed;

    /** The current file of one day and what it holds. */
    private static final class Segment {
        final LocalDate day;
        final int index;
        final FileChannel channel;
        long size;

        Segment(LocalDate day, int index, FileChannel channel) throws IOException {
            this.day = day;
            this.index = index;
            this.channel = channel;
            this.size = channel.size();
        }
    }

    /** Where one append of this call started, to cut it off again on a failure. */
    private record Appended(Segment segment, long from) {}

    JsonlSink(JsonlSinkConfig config, Clock clock, System.Logger log) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.log = requireNonNull(log, "log is null");
        try {
            Files.createDirectories(config.dir());
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "the jsonl sink cannot create " + config.dir() + " (" + e
                    + "); its writes fail, and the kernel keeps the records, until it can");
        }
        sweep(today());
    }

    @Override
    public synchronized void write(List<RequestRecord> batch) throws IOException {
        if (closed) {
            throw new IOException("the jsonl sink is closed");
        }
        if (batch.isEmpty()) {
            return;
        }
        LocalDate today = today();
        if (!today.equals(sweptFor)) {
            sweep(today);
        }
        Map<LocalDate, List<byte[]>> byDay = new LinkedHashMap<>();
        for (RequestRecord r : batch) {
            LocalDate day = r.startedAt().atZone(config.timeZone()).toLocalDate();
            byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(line(r));
        }
        Files.createDirectories(config.dir());
        List<Appended> appended = new ArrayList<>();
        Set<Segment> touched = new LinkedHashSet<>();
        boolean created = false;
        try {
            for (Map.Entry<LocalDate, List<byte[]>> e : byDay.entrySet()) {
                Segment s = open.get(e.getKey());
                if (s == null) {
                    s = openLatest(e.getKey());
                    created |= s.size == 0;
                }
                touched.add(s);
                for (byte[] line : e.getValue()) {
                    long filled = s.size + chunk.size();
                    if (filled > 0 && filled + line.length > config.maxFileBytes()) {
                        append(s, appended);
                        s = next(s);
                        touched.add(s);
                        created = true;
                    }
                    chunk.write(line);
                }
                append(s, appended);
            }
            if (config.fsync() == JsonlSinkConfig.Fsync.BATCH) {
                for (Segment s : touched) {
                    s.channel.force(false);
                }
                if (created) {
                    forceDirectory();
                }
            }
        } catch (IOException | RuntimeException e) {
            chunk.reset();
            undo(appended, e);
            touched.forEach(this::closeQuietly);
            closeAll();
            throw e;
        }
        closeAllBut(touched);
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeAll();
    }

    private byte[] line(RequestRecord r) throws IOException {
        buffer.reset();
        try (JsonGenerator g = json.createGenerator(buffer)) {
            RecordJson.write(g, r);
        }
        buffer.write('\n');
        return buffer.toByteArray();
    }

    private void append(Segment s, List<Appended> appended) throws IOException {
        if (chunk.size() == 0) {
            return;
        }
        appended.add(new Appended(s, s.size));
        ByteBuffer bytes = ByteBuffer.wrap(chunk.toByteArray());
        chunk.reset();
        while (bytes.hasRemaining()) {
            s.channel.write(bytes);
        }
        s.size += bytes.capacity();
    }

    /** Opens the highest-numbered file of {@code day}, or its first one. */
    private Segment openLatest(LocalDate day) throws IOException {
        int index = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.dir(), "requests-" + day + "*.jsonl")) {
            for (Path f : files) {
                Optional<LogFiles.Name> name = LogFiles.parse(f);
                if (name.isPresent() && name.get().day().equals(day)) {
                    index = Math.max(index, name.get().index());
                }
            }
        }
        return openSegment(day, index);
    }

    private Segment next(Segment full) throws IOException {
        open.remove(full.day);
        return openSegment(full.day, full.index + 1);
    }

    private Segment openSegment(LocalDate day, int index) throws IOException {
        FileChannel channel = FileChannel.open(LogFiles.path(config.dir(), day, index), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            Segment s = new Segment(day, index, channel);
            open.put(day, s);
            return s;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Cuts off what this call appended, newest first, so a retry does not follow a torn line. */
    private void undo(List<Appended> appended, Exception cause) {
        for (int i = appended.size() - 1; i >= 0; i--) {
            Appended a = appended.get(i);
            try {
                a.segment().channel.truncate(a.from());
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Makes a new file's name durable too (POSIX needs the folder synced; elsewhere this may not apply). */
    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(config.dir(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException notSupported) {
            // Windows cannot open a folder as a channel; its file system orders the name with the data.
        }
    }

    private void closeAllBut(Set<Segment> keep) {
        for (Iterator<Segment> it = open.values().iterator(); it.hasNext();) {
            Segment s = it.next();
            if (!keep.contains(s)) {
                closeQuietly(s);
                it.remove();
            }
        }
        for (Segment s : keep) {
            if (open.get(s.day) != s) {
                closeQuietly(s);
            }
        }
    }

    private void closeAll() {
        open.values().forEach(this::closeQuietly);
        open.clear();
    }

    private void closeQuietly(Segment s) {
        try {
            s.channel.close();
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "closing " + LogFiles.path(config.dir(), s.day, s.index) + " failed: " + e);
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), config.timeZone());
    }

    /** Deletes the files of days past the retention; a failure is logged, never thrown. */
    private void sweep(LocalDate today) {
        sweptFor = today;
        if (config.retentionDays() == 0) {
            return;
        }
        LocalDate oldestKept = today.minusDays(config.retentionDays());
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.dir(), "requests-*.jsonl")) {
            for (Path f : files) {
                Optional<LogFiles.Name> name = LogFiles.parse(f);
                if (name.isPresent() && name.get().day().isBefore(oldestKept) && !open.containsKey(name.get().day())) {
                    try {
                        Files.deleteIfExists(f);
                        deleted++;
                    } catch (IOException e) {
                        log.log(System.Logger.Level.WARNING, "the jsonl sink could not delete " + f + " past its retention: " + e);
                    }
                }
            }
        } catch (NoSuchFileException absent) {
            return;
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "the jsonl sink could not list " + config.dir() + " for retention: " + e);
            return;
        }
        if (deleted > 0) {
            log.log(System.Logger.Level.INFO, "the jsonl sink deleted " + deleted + " file(s) older than " + oldestKept);
        }
    }
}

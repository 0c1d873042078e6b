package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillTest {

    @TempDir
    Path dir;

    @Test
    void recordsComeBackOldestFirstAndLeaveWhenFinished() throws IOException {
        try (Spill spill = Spill.open(dir, 1 << 20)) {
            assertTrue(spill.append(Records.many("a", 3)));
            assertTrue(spill.append(Records.many("b", 2)));
            assertEquals(5, spill.records());
            Spill.Segment s = spill.oldest();
            assertEquals(List.of("a0", "a1", "a2", "b0", "b1"), s.records().stream().map(r -> r.requestId()).toList());
            assertEquals(0, s.corrupt());
            spill.consumed(s, 2);
            assertEquals(3, spill.records());
            spill.finish(s);
            assertEquals(0, spill.records());
            assertEquals(0, spill.bytes());
            assertNull(spill.oldest());
            assertEquals(0, segments(dir));
        }
    }

    @Test
    void aFullSpillRefusesAndKeepsWhatItHas() throws IOException {
        try (Spill spill = Spill.open(dir, 2_000)) {
            int kept = 0;
            while (spill.append(Records.many("x" + kept + "-", 1))) {
                kept++;
            }
            assertTrue(kept > 0, "some records fit");
            assertEquals(kept, spill.records());
            assertTrue(spill.bytes() <= 2_000);
            assertFalse(spill.append(Records.many("y", 1)));
        }
    }

    @Test
    void aRestartFindsWhatWasSpilledAndCutsAHalfWrittenFrame() throws IOException {
        try (Spill spill = Spill.open(dir, 1 << 20)) {
            spill.append(Records.many("a", 4));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".spill")).findFirst().orElseThrow();
        }
        long good = Files.size(segment);
        // a crash in the middle of the next frame: its header promises more bytes than arrived
        Files.write(segment, new byte[] {0x54, 0x47, 0x53, 0x31, 0, 0, 0, 9, 0, 0, 1, 0, 1, 2}, StandardOpenOption.APPEND);
        try (Spill spill = Spill.open(dir, 1 << 20)) {
            assertEquals(4, spill.records());
            assertEquals(good, Files.size(segment));
            assertEquals(List.of("a0", "a1", "a2", "a3"), spill.oldest().records().stream().map(r -> r.requestId()).toList());
        }
    }

    @Test
    void aDamagedFrameIsCountedAndItsSegmentKeptApart() throws IOException {
        try (Spill spill = Spill.open(dir, 1 << 20)) {
            spill.append(Records.many("a", 3));
            spill.append(Records.many("b", 2));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".spill")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        bytes[30] ^= 0x5A; // inside the first frame's payload
        Files.write(segment, bytes);
        try (Spill spill = Spill.open(dir, 1 << 20)) {
            assertEquals(5, spill.records());
            Spill.Segment s = spill.oldest();
            assertEquals(3, s.corrupt());
            assertEquals(List.of("b0", "b1"), s.records().stream().map(r -> r.requestId()).toList());
            spill.finish(s);
            assertEquals(0, spill.records());
        }
        assertTrue(Files.exists(dir.resolve("dead").resolve(segment.getFileName())));
    }

    private static long segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".spill")).count();
        }
    }
}

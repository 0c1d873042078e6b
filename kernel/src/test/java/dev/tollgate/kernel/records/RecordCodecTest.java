package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Test
    void everyFieldSurvivesTheRoundTrip() throws IOException {
        RequestRecord full = Records.full("req-1");
        RequestRecord minimal = Records.minimal("req-2");
        byte[] bytes = RecordCodec.encode(List.of(full, minimal));
        List<RequestRecord> back = RecordCodec.decode(new ByteArrayInputStream(bytes), 2);
        assertSame(full, back.get(0));
        assertSame(minimal, back.get(1));
    }

    @Test
    void aCutOrDamagedRecordIsAnErrorNotAWrongRecord() throws IOException {
        byte[] bytes = RecordCodec.encode(List.of(Records.full("req-1")));
        assertThrows(IOException.class, () -> RecordCodec.decode(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length / 2)), 1));
        byte[] wrongVersion = bytes.clone();
        wrongVersion[0] = 99;
        assertThrows(IOException.class, () -> RecordCodec.decode(new ByteArrayInputStream(wrongVersion), 1));
    }

    /** Compares every accessor: RequestRecord has no equals of its own. */
    static void assertSame(RequestRecord a, RequestRecord b) {
        assertEquals(a.requestId(), b.requestId());
        assertEquals(a.startedAt(), b.startedAt());
        assertEquals(a.endpoint(), b.endpoint());
        assertEquals(a.model(), b.model());
        assertEquals(a.deploymentId(), b.deploymentId());
        assertEquals(a.provider(), b.provider());
        assertEquals(a.providerModel(), b.providerModel());
        assertEquals(a.status(), b.status());
        assertEquals(a.errorCode(), b.errorCode());
        assertEquals(a.errorType(), b.errorType());
        assertEquals(a.stream(), b.stream());
        assertEquals(a.usage(), b.usage());
        assertEquals(a.cost(), b.cost());
        assertEquals(a.cacheStatus(), b.cacheStatus());
        assertEquals(a.latencyMicros(), b.latencyMicros());
        assertEquals(a.timeToFirstTokenMicros(), b.timeToFirstTokenMicros());
        assertEquals(a.upstreamLatencyMicros(), b.upstreamLatencyMicros());
        assertEquals(a.keyId(), b.keyId());
        assertEquals(a.keyName(), b.keyName());
        assertEquals(a.teamId(), b.teamId());
        assertEquals(a.endUser(), b.endUser());
        assertEquals(a.attempts(), b.attempts());
        assertEquals(a.clientDisconnected(), b.clientDisconnected());
        assertEquals(a.requestBody(), b.requestBody());
        assertEquals(a.responseBody(), b.responseBody());
        assertEquals(a.traceId(), b.traceId());
        assertEquals(a.spanId(), b.spanId());
        assertEquals(a.parentSpanId(), b.parentSpanId());
        assertEquals(a.attemptSpanIds(), b.attemptSpanIds());
        assertEquals(a.metadata(), b.metadata());
    }
}

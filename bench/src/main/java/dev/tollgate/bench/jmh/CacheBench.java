package dev.tollgate.bench.jmh;

import dev.tollgate.kernel.cache.CacheEntry;
import dev.tollgate.kernel.cache.CacheKeys;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the response cache adds to a request on the gateway's thread: the cache key (canonical
 * form and SHA-256 of the body) and the local lookup, for a miss (key and an absent entry: the
 * whole extra cost of a miss over the cache off, before routing) and a hit (key, lookup, and
 * decoding the entry). The local tier is a concurrent map here, standing in for Caffeine's
 * {@code getIfPresent} (tens of nanoseconds either way). Run with {@code -prof gc} for B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CacheBench {

    private byte[] small;
    private byte[] conversation;
    private final ConcurrentHashMap<String, Bytes> local = new ConcurrentHashMap<>();
    private String hitKey;

    @Setup
    public void setUp() {
        small = Fixtures.CHAT_REQUEST.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"max_tokens\":512,\"messages\":[");
        for (int i = 0; i < 20; i++) {
            b.append(i == 0 ? "" : ",").append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"").append("Message number ").append(i)
                    .append(" of a conversation that goes on for a while, with some detail in every turn. ".repeat(4))
                    .append("\"}");
        }
        conversation = b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10_000; i++) {
            local.put("filler-" + i, Bytes.utf8("x"));
        }
        hitKey = CacheKeys.forThisThread().of(WireFormat.OPENAI_CHAT, "team:t1", small, 0, small.length).key();
        ChatResponse answer = ChatResponse.builder().id("chatcmpl-1").model("gpt-4o-mini-2024-07-18").created(1_732_560_000L)
                .addContent(ContentBlock.Text.of("Hello! I hope you are having a wonderful day today.")).usage(Usage.of(24, 12)).build();
        local.put(hitKey, new CacheEntry(hitKey, answer, 0, Long.MAX_VALUE, 36, "d#0").encode());
    }

    @Benchmark
    public String keySmallRequest() {
        return CacheKeys.forThisThread().of(WireFormat.OPENAI_CHAT, "team:t1", small, 0, small.length).key();
    }

    @Benchmark
    public String keyConversation8KiB() {
        return CacheKeys.forThisThread().of(WireFormat.OPENAI_CHAT, "team:t1", conversation, 0, conversation.length).key();
    }

    /** A miss in the local tier: what a cached model's request pays before it is routed as if the cache were off. */
    @Benchmark
    public Bytes missSmallRequest() {
        String key = CacheKeys.forThisThread().of(WireFormat.OPENAI_CHAT, "team:t2", small, 0, small.length).key();
        return local.get(key);
    }

    @Benchmark
    public ChatResponse hitSmallRequest() throws CacheEntry.Corrupt {
        String key = CacheKeys.forThisThread().of(WireFormat.OPENAI_CHAT, "team:t1", small, 0, small.length).key();
        return CacheEntry.decode(local.get(key), key).response();
    }
}

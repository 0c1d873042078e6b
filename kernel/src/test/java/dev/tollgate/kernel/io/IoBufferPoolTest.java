package dev.tollgate.kernel.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoBufferPoolTest {

    @Test
    void aReturnedBufferIsReusedClearedOnTheSameThread() {
        IoBufferPool pool = new IoBufferPool(true, 1024, 16);
        PooledByteBuffer first = pool.allocate();
        ByteBuffer b = first.getBuffer();
        assertTrue(b.isDirect());
        assertEquals(1024, b.capacity());
        b.put(new byte[100]).flip();
        first.close();
        assertFalse(first.isOpen());
        assertThrows(IllegalStateException.class, first::getBuffer);

        PooledByteBuffer second = pool.allocate();
        assertSame(b, second.getBuffer());
        assertEquals(0, second.getBuffer().position());
        assertEquals(1024, second.getBuffer().limit());
    }

    @Test
    void closingTwiceReturnsTheBufferOnce() {
        IoBufferPool pool = new IoBufferPool(false, 64, 16);
        PooledByteBuffer a = pool.allocate();
        a.close();
        a.close();
        PooledByteBuffer x = pool.allocate();
        PooledByteBuffer y = pool.allocate();
        assertNotSame(x.getBuffer(), y.getBuffer(), "a buffer closed twice was handed out twice");
    }

    @Test
    void buffersBeyondTheThreadCacheGoToTheSharedQueueUpToItsBound() {
        IoBufferPool pool = new IoBufferPool(false, 64, 3);
        List<PooledByteBuffer> leased = new ArrayList<>();
        for (int i = 0; i < IoBufferPool.THREAD_CACHE + 10; i++) {
            leased.add(pool.allocate());
        }
        leased.forEach(PooledByteBuffer::close);
        assertEquals(3, pool.idleShared(), "the thread cache takes " + IoBufferPool.THREAD_CACHE + ", the queue at most 3");
    }

    @Test
    void virtualThreadsUseOnlyTheSharedQueue() throws Exception {
        IoBufferPool pool = new IoBufferPool(false, 64, 8);
        ByteBuffer[] seen = new ByteBuffer[1];
        Thread t = Thread.ofVirtual().start(() -> {
            PooledByteBuffer p = pool.allocate();
            seen[0] = p.getBuffer();
            p.close();
        });
        t.join();
        assertEquals(1, pool.idleShared(), "the virtual thread's buffer waits in the shared queue, not in a cache that dies with it");
        assertSame(seen[0], pool.allocate().getBuffer(), "another thread takes it from there");
    }

    @Test
    void aBufferReturnedOnAnotherThreadIsNotLost() throws Exception {
        IoBufferPool pool = new IoBufferPool(false, 64, 8);
        PooledByteBuffer p = pool.allocate();
        ByteBuffer b = p.getBuffer();
        Thread t = Thread.ofPlatform().start(p::close);
        t.join();
        // it sits in the other thread's cache, which is that thread's to reuse; this thread allocates anew
        assertNotSame(b, pool.allocate().getBuffer());
    }

    @Test
    void theArrayBackedPoolIsAHeapPoolOfTheSameSize() {
        IoBufferPool pool = new IoBufferPool(true, 256, 8);
        assertFalse(pool.getArrayBackedPool().isDirect());
        assertTrue(pool.getArrayBackedPool().allocate().getBuffer().hasArray());
        assertEquals(256, pool.getArrayBackedPool().getBufferSize());
        assertSame(pool.getArrayBackedPool(), pool.getArrayBackedPool());
    }

    @Test
    void aClosedPoolRefusesToAllocate() {
        IoBufferPool pool = new IoBufferPool(true, 256, 8);
        PooledByteBuffer p = pool.allocate();
        pool.close();
        p.close(); // harmless after close
        assertThrows(IllegalStateException.class, pool::allocate);
    }
}

package dev.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.tcp.OutboundSocket;
import dev.weft.tcp.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link HotConnections} alone, over connections whose sockets only say their affinity: a borrower
 * gets the most recent connection of its own affinity first (the one its carrier polls), then the
 * most recent of any other; the per-endpoint limit counts every affinity; expiry and draining reach
 * every slot. No sockets: the affinity a borrower has is passed in.
 */
class HotConnectionsTest {

    private static final Endpoint A = new Endpoint("127.0.0.1", 1001);
    private static final Endpoint B = new Endpoint("127.0.0.1", 1002);

    private final AtomicLong clock = new AtomicLong();

    /** A socket that is nothing but an affinity; a hot connection never touches the rest. */
    private record FakeSocket(int affinity) implements OutboundSocket {
        @Override
        public InputStream in() {
            return InputStream.nullInputStream();
        }

        @Override
        public OutputStream out() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public int readNow(byte[] b, int off, int len) {
            return 0;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public <T> void setOption(SocketOption<T> option, T value) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }

        @Override
        public InetSocketAddress localAddress() {
            return null;
        }

        @Override
        public Transport transport() {
            return affinity < 0 ? Transport.JDK : Transport.EPOLL;
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
        }
    }

    private PooledConnection connection(Endpoint endpoint, int affinity) throws Exception {
        return new PooledConnection(endpoint, new FakeSocket(affinity), null, null, clock::get);
    }

    @Test
    void aBorrowerGetsItsOwnCarriersConnectionFirstThenTheMostRecentOfAnother() throws Exception {
        HotConnections hot = new HotConnections(8, 1_000);
        PooledConnection jdk = connection(A, -1);
        PooledConnection carrier0 = connection(A, 0);
        PooledConnection carrier1old = connection(A, 1);
        PooledConnection carrier1 = connection(A, 1);
        for (PooledConnection c : List.of(jdk, carrier0, carrier1old, carrier1)) {
            assertTrue(hot.offer(c));
        }
        assertEquals(4, hot.size(A));
        assertSame(carrier1, hot.poll(A, 1), "its own carrier's, most recent first");
        assertSame(carrier1old, hot.poll(A, 1));
        assertSame(carrier0, hot.poll(A, 0));
        assertSame(jdk, hot.poll(A, 1), "none of its own left: another's");
        assertNull(hot.poll(A, 1));
        assertEquals(0, hot.size(A));
        assertEquals(0, hot.size(null));
    }

    @Test
    void theLimitPerEndpointCountsEveryAffinity() throws Exception {
        HotConnections hot = new HotConnections(2, 1_000);
        assertTrue(hot.offer(connection(A, 0)));
        assertTrue(hot.offer(connection(A, 1)));
        assertFalse(hot.offer(connection(A, -1)), "A has its fill, whatever the affinity");
        assertTrue(hot.offer(connection(B, 0)), "another endpoint has its own");
        assertEquals(3, hot.size(null));
    }

    @Test
    void expiryAndDrainingReachEverySlot() throws Exception {
        HotConnections hot = new HotConnections(8, 1_000);
        PooledConnection old0 = connection(A, 0);
        PooledConnection oldJdk = connection(A, -1);
        hot.offer(old0);
        hot.offer(oldJdk);
        clock.addAndGet(1_000);
        PooledConnection fresh1 = connection(A, 1);
        hot.offer(fresh1);
        List<PooledConnection> expired = new ArrayList<>();
        hot.expire(expired::add);
        assertEquals(2, expired.size());
        assertTrue(expired.containsAll(List.of(old0, oldJdk)));
        assertEquals(1, hot.size(A));
        hot.offer(connection(B, 0));
        List<PooledConnection> drained = new ArrayList<>();
        hot.drain(drained::add);
        assertEquals(2, drained.size());
        assertTrue(drained.contains(fresh1));
        assertEquals(0, hot.size(null));
    }
}

package dev.weft.tcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.http.TransportPollers;
import dev.weft.testing.LeakCheck;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An epoll event read for a socket that is closed before it is dispatched, when the kernel has
 * handed the socket's descriptor number to a new connection meanwhile, must not reach the new one:
 * a stale "peer hung up" would mark it hung up for good (its reads would never again wait without
 * asking the kernel first, and it could never wait for bytes without a thread), and a stale
 * "readable" would start its handler's thread for nothing.
 *
 * <p>The race (the event read by {@code epoll_wait}, then the close, the accept and the new
 * registration, then the dispatch) cannot be timed from outside, so the test plays it: it takes
 * the old socket's registration key, closes it, accepts a new socket on the same descriptor number,
 * and hands the poller an event with the old key. The epoll classes are compiled for JDK 22 and
 * this test for 21, so it reaches them by reflection.
 */
@ExtendWith(LeakCheck.class)
class StaleEpollEventTest {

    private static final int EPOLLIN = 0x1;
    private static final int EPOLLRDHUP = 0x2000;

    /** Made before the leak check's first look: the transport's pollers live as long as the JVM. */
    @BeforeAll
    static void startTheTransportsPollers() throws IOException {
        TransportPollers.start();
    }

    @Test
    void anEventForAClosedSocketDoesNotWakeTheNextSocketOnItsDescriptorNumber() throws Exception {
        assumeTrue(Transport.EPOLL.isAvailable(), "the epoll transport does not run in this JVM");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocketIo listener = Transports.listen(Transport.EPOLL, new InetSocketAddress(loopback, 0), 16, null);
        try (Socket first = new Socket(loopback, listener.localAddress().getPort());
             Socket second = new Socket(loopback, listener.localAddress().getPort())) {
            SocketIo old = listener.accept();
            old.runWhenReadable(() -> { }); // registers it with its poller
            int fd = fd(old);
            long oldKey = key(old);
            old.close(); // frees its number: the kernel gives the lowest free one to the next accept

            SocketIo next = listener.accept();
            try {
                assumeTrue(fd(next) == fd, "the kernel gave the new socket another number (another thread took "
                        + fd + "): nothing to test this time");
                AtomicBoolean woken = new AtomicBoolean();
                next.runWhenReadable(() -> woken.set(true));
                assertNotEquals(oldKey, key(next));

                deliver(next, EPOLLIN | EPOLLRDHUP, oldKey); // the stale event: the old peer hung up

                assertFalse(woken.get(), "the stale event woke the new socket");
                assertFalse(sawHangup(next), "the stale event marked the new socket hung up");

                deliver(next, EPOLLIN, key(next)); // and its own event does reach it
                assertTrue(woken.get());
            } finally {
                next.close();
            }
        } finally {
            listener.close();
        }
    }

    private static Class<?> epollFd() throws ClassNotFoundException {
        return Class.forName("dev.weft.tcp.EpollFd");
    }

    private static int fd(SocketIo socket) throws ReflectiveOperationException {
        return epollFd().getDeclaredField("fd").getInt(socket);
    }

    private static long key(SocketIo socket) throws ReflectiveOperationException {
        return epollFd().getDeclaredField("key").getLong(socket);
    }

    private static boolean sawHangup(SocketIo socket) throws ReflectiveOperationException {
        return (boolean) epollFd().getDeclaredMethod("sawHangup").invoke(socket);
    }

    /** What the socket's poller does with one event that {@code epoll_wait} returned. */
    private static void deliver(SocketIo socket, int flags, long key) throws ReflectiveOperationException {
        Field pollerField = epollFd().getDeclaredField("poller");
        Object poller = pollerField.get(socket);
        Method deliver = poller.getClass().getDeclaredMethod("deliver", int.class, long.class);
        deliver.invoke(poller, flags, key);
    }
}

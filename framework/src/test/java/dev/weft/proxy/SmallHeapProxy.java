package dev.weft.proxy;

import dev.weft.balance.UpstreamGroup;
import dev.weft.http.HttpLimits;
import dev.weft.http.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;

/**
 * A reverse proxy in a JVM of its own, started by {@link ProxyHeapTest} with a small heap: prints
 * {@code LISTENING port}, serves until its standard input ends.
 *
 * <pre>SmallHeapProxy BACKEND_PORT</pre>
 */
public final class SmallHeapProxy {

    private SmallHeapProxy() {
    }

    public static void main(String[] args) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UpstreamGroup group = UpstreamGroup.builder("heap").add("127.0.0.1:" + args[0]).meterRegistry(registry).build();
             ReverseProxy proxy = ReverseProxy.builder(group).meterRegistry(registry).build();
             HttpServer server = HttpServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                     .limits(HttpLimits.DEFAULTS.withMaxBodySize(Long.MAX_VALUE)).meterRegistry(registry)
                     .fallback(proxy).start()) {
            System.out.println("LISTENING " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the test closes our input
            }
        }
    }
}

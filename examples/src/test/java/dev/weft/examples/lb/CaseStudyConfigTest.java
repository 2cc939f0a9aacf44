package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.examples.lb.Value.Var;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped case-study file, read into the exact model the proxy will run. */
class CaseStudyConfigTest {

    /** Relative to the examples module, where the tests run. */
    static final Path FILE = Path.of("conf/case-study.conf");

    @Test
    void theCaseStudyFileReadsIntoExactlyThisModel() throws Exception {
        Duration tenSeconds = Duration.ofSeconds(10);
        UpstreamBlock backend = new UpstreamBlock("backend_servers", Balance.LEAST_CONN, null, false, false,
                List.of(new UpstreamServer("127.0.0.1", 8081, 3, 1, tenSeconds, false, false, 0, 19),
                        new UpstreamServer("127.0.0.1", 8082, 2, 1, tenSeconds, false, false, 0, 20),
                        new UpstreamServer("127.0.0.1", 8083, 1, 1, tenSeconds, false, false, 0, 21)),
                null,
                new Check(Duration.ofMillis(3000), 2, 3, Duration.ofMillis(1000), "tcp", null, List.of(), true),
                10);
        ProxySettings proxy = new ProxySettings(
                List.of(new ProxyHeader("Host", Value.of(new Var("host"))),
                        new ProxyHeader("X-Real-IP", Value.of(new Var("remote_addr"))),
                        new ProxyHeader("X-Forwarded-For", Value.of(new Var("proxy_add_x_forwarded_for")))),
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60),
                EnumSet.of(NextUpstream.ERROR, NextUpstream.TIMEOUT), 0, Duration.ZERO, "1.1",
                false, null, false, Value.of(new Var("proxy_host")));
        Location root = new Location(false, "/",
                new ProxyPass("http", "backend_servers", "backend_servers", 80, null), null, proxy, 1024 * 1024, 31);
        ServerBlock server = new ServerBlock(List.of(new Listen(null, 8080, false, false, false, 511, 28)),
                List.of("example.com"), null, null, List.of(root), null, 27);

        assertEquals(new LbConfig(FILE, List.of(backend), List.of(server)), LbConfig.read(FILE));
    }

    @Test
    void theFileDiffersFromTheCaseStudyOnlyInTheAddressesAndThePort() throws Exception {
        String shipped = Files.readString(FILE, StandardCharsets.UTF_8);
        String original = shipped.substring(shipped.indexOf("upstream backend_servers"))
                .replaceAll("127\\.0\\.0\\.1:808(\\d) weight=(\\d);  # case study: (\\S+)", "$3 weight=$2;")
                .replace("listen 8080;  # case study: listen 80; (below 1024 needs root)", "listen 80;");

        LbConfig c = LbConfig.parse(original, "case-study.conf");

        assertEquals(List.of("192.168.1.101:8080", "192.168.1.102:8080", "192.168.1.103:8080"),
                c.upstreams().get(0).servers().stream().map(UpstreamServer::address).toList());
        assertEquals(List.of(3, 2, 1), c.upstreams().get(0).servers().stream().map(UpstreamServer::weight).toList());
        assertEquals(80, c.servers().get(0).listens().get(0).port());
        assertEquals(LbConfig.read(FILE).servers().get(0).locations().get(0).proxy(),
                c.servers().get(0).locations().get(0).proxy());
    }
}

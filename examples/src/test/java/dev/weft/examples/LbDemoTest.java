package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.HttpServer;
import dev.weft.testing.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./weft lb-demo}, run in this JVM as the launcher would, judged by what it prints. The main
 * run takes 14 s: with {@code --check-interval 500ms} the checks take the killed backend out within
 * about 1.5 s, but its failed requests keep it out for {@code fail_timeout} (10 s in the case study)
 * after the last of them, so it is back in service about 11 s after the kill at 1 s.
 */
@ExtendWith(LeakCheck.class)
class LbDemoTest {

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> closing = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theKilledBackendIsTakenOutAndComesBackWhileNoRequestFails() {
        CliRun run = CliRun.of("lb-demo", "--duration", "14s", "--kill-at", "1s", "--revive-at", "4s",
                "--check-interval", "500ms", "--clients", "4");
        String out = run.out();
        assertEquals(0, run.exit(), run::toString);

        Matcher m = Pattern.compile("^backend-1 on 127\\.0\\.0\\.1:(\\d+) answers \"backend-1\"$", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        String victim = "backend-1 127.0.0.1:" + m.group(1);
        assertTrue(out.contains("  check interval=500ms rise=2 fall=3 timeout=1s type=tcp\n"), out);

        // the story, in this order, each line with its time
        int killed = lineAt(out, "\\d\\d:\\d\\d\\.\\d  killing " + Pattern.quote(victim) + ": .*", 0);
        int out1 = lineAt(out, "\\d\\d:\\d\\d\\.\\d  " + Pattern.quote(victim) + "  UP -> (FAILED|UNHEALTHY) \\(.*\\)", killed);
        int revived = lineAt(out, "\\d\\d:\\d\\d\\.\\d  reviving " + Pattern.quote(victim) + ": .*", out1);
        lineAt(out, "\\d\\d:\\d\\d\\.\\d  " + Pattern.quote(victim) + "  (FAILED|UNHEALTHY) -> UP \\(.*\\)", revived);
        // the status line, once a second when stdout is not a terminal
        lineAt(out, "\\d\\d:\\d\\d\\.\\d +[\\d,]+ req/s  backend-1 [\\d,]+ backend-2 [\\d,]+ backend-3 [\\d,]+  failed 0", 0);

        // the distribution: every backend served, backend-1 again after its revival, and no request failed
        for (int i = 1; i <= 3; i++) {
            Matcher row = Pattern.compile("^  backend-" + i + " +127\\.0\\.0\\.1:\\d+ +(\\d) \\(\\d+%\\) +([\\d,]+) +[\\d.]+% "
                    + "+([\\d,]+) +([\\d,]+) +([\\d,]+)$", Pattern.MULTILINE).matcher(out);
            assertTrue(row.find(), "no row for backend-" + i + " in\n" + out);
            assertEquals(String.valueOf(4 - i), row.group(1), "the case study's weights 3/2/1");
            assertTrue(count(row.group(2)) > 0, "backend-" + i + " got no request:\n" + out);
            if (i == 1) {
                assertTrue(count(row.group(5)) > 0, "backend-1 got no request after its revival:\n" + out);
            }
        }
        assertTrue(out.contains("\nFailed requests: 0 "), out);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConfigFileRunsAsIsAndOnlyGetsTraffic() throws Exception {
        HttpServer a = backend("a");
        HttpServer b = backend("b");
        Path conf = config("""
                upstream two {
                    server 127.0.0.1:%d;
                    server 127.0.0.1:%d;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / { proxy_pass http://two; }
                }
                """.formatted(a.port(), b.port(), freePort()));

        CliRun run = CliRun.of("lb-demo", "--config", conf.toString(), "--duration", "2s", "--clients", "2");

        assertEquals(0, run.exit(), run::toString);
        assertTrue(!run.out().contains("killing"), run.out());
        for (String answer : new String[] {"a", "b"}) {
            Matcher row = Pattern.compile("^  " + answer + " +([\\d,]+) +[\\d.]+%$", Pattern.MULTILINE).matcher(run.out());
            assertTrue(row.find() && count(row.group(1)) > 0, answer + " got no request:\n" + run.out());
        }
        assertTrue(run.out().contains("\nFailed requests: 0\n"), run.out());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void failedRequestsArePrintedAndMakeTheExitStatusOne() throws Exception {
        Path conf = config("""
                upstream nobody {
                    server 127.0.0.1:%d;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / { proxy_pass http://nobody; }
                }
                """.formatted(freePort(), freePort())); // nothing listens on the upstream's port: 502

        CliRun run = CliRun.of("lb-demo", "--config", conf.toString(), "--duration", "1s", "--clients", "1");

        assertEquals(1, run.exit(), run::toString);
        assertTrue(Pattern.compile("\nFAILED: [\\d,]+ requests failed, the first with: status 502, .*; exit status 1\n")
                .matcher(run.out()).find(), run.out());
    }

    @Test
    void aConfigSendingLoadOffLoopbackIsRefused() throws Exception {
        Path conf = config("""
                upstream far {
                    server 192.0.2.10:8080;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / { proxy_pass http://far; }
                }
                """.formatted(freePort()));

        CliRun run = CliRun.of("lb-demo", "--config", conf.toString(), "--duration", "1s");

        assertEquals(1, run.exit(), run::toString);
        assertEquals("weft lb-demo: " + conf + ":2: lb-demo sends load, so only to loopback, not to 192.0.2.10:8080\n",
                run.err());
    }

    @Test
    void optionsThatDoNotFitTogetherAreUsageErrors() {
        CliRun order = CliRun.of("lb-demo", "--kill-at", "5s", "--revive-at", "3s", "--duration", "10s");
        assertEquals(2, order.exit(), order::toString);
        assertEquals("weft lb-demo: need --kill-at < --revive-at < --duration, were 5s, 3s and 10s"
                + " (./weft lb-demo --help lists its options)\n", order.err());

        CliRun mixed = CliRun.of("lb-demo", "--config", "any.conf", "--kill-at", "1s");
        assertEquals(2, mixed.exit(), mixed::toString);
        assertTrue(mixed.err().contains("apply to the case study, not to --config"), mixed::toString);

        CliRun many = CliRun.of("lb-demo", "--clients", "65");
        assertEquals(2, many.exit(), many::toString);
    }

    /** The index just after the first line at or after {@code from} that matches {@code regex}; fails if none. */
    private static int lineAt(String out, String regex, int from) {
        Matcher m = Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(from), "no line like " + regex + " after position " + from + " in\n" + out);
        return m.end();
    }

    private static long count(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    private HttpServer backend(String name) {
        HttpServer s = HttpServer.builder().name(name).bindAddress(InetAddress.getLoopbackAddress())
                .meterRegistry(new SimpleMeterRegistry()).fallback((req, res) -> res.send(name)).start();
        closing.push(s);
        return s;
    }

    private Path config(String text) throws IOException {
        return Files.writeString(dir.resolve("lb.conf"), text);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

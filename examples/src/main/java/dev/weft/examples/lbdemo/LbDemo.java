package dev.weft.examples.lbdemo;

import dev.weft.balance.Upstream;
import dev.weft.balance.UpstreamGroup;
import dev.weft.client.Endpoint;
import dev.weft.examples.lb.Check;
import dev.weft.examples.lb.ConfigException;
import dev.weft.examples.lb.LbConfig;
import dev.weft.examples.lb.Listen;
import dev.weft.examples.lb.LoadBalancer;
import dev.weft.examples.lb.UpstreamBlock;
import dev.weft.examples.lb.UpstreamServer;
import dev.weft.examples.lbdemo.Traffic.Phase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The load-balancing case study, live: the {@code lb-demo} subcommand. It starts three backends
 * ({@code backend-1..3} on free ports of 127.0.0.1, each answering its own name), runs the shipped
 * case-study file {@code examples/conf/case-study.conf} ({@code least_conn}, weights 3/2/1,
 * {@code check interval=3000 rise=2 fall=3 timeout=1000}) in front of them on the demo's own ports,
 * sends traffic through it with a live status line, kills {@code backend-1} and brings it back while
 * printing each health transition as it happens, and ends with the distribution per backend.
 *
 * <pre>./weft lb-demo [--duration 60s] [--kill-at 15s] [--revive-at 40s] [--clients 8] [--check-interval 500ms]
 * ./weft lb-demo --config FILE    # that file as is: traffic to its first listen socket only</pre>
 *
 * <p>Exit status 1 if any request failed: the proxy retries a refused connect on the next server,
 * so killing a backend should cost no request, and a failed one is worth a non-zero exit.
 */
@Command(name = "lb-demo",
        description = {"The load-balancing case study live: a backend killed and revived under traffic.",
            "Starts three backends on 127.0.0.1 (backend-1..3, each answering its name) and",
            "the balancer from examples/conf/case-study.conf (least_conn, weights 3/2/1,",
            "check interval=3000 rise=2 fall=3) on free ports; sends traffic through it with",
            "a live status line; kills backend-1 and brings it back, printing the health",
            "transitions as they happen; ends with the distribution per backend.",
            "Exit status 1 if any request failed (none should: the proxy retries a refused",
            "connect on the next server).",
            "With --config FILE, that file runs as is and the demo only sends traffic to its",
            "first listen socket: its upstream servers must be on loopback and run by you."})
public final class LbDemo implements Callable<Integer> {

    /** The shipped case study, from the repository (where ./weft runs) or from examples/ (where its tests run). */
    static final List<Path> CASE_STUDY = List.of(Path.of("examples/conf/case-study.conf"),
            Path.of("conf/case-study.conf"));
    static final String CASE_STUDY_NAME = "examples/conf/case-study.conf";
    static final int BACKENDS = 3;
    static final int MAX_CLIENTS = 64;
    static final Duration MAX_DURATION = Duration.ofMinutes(10);
    /** How often the group's status is polled for transitions, and the status line redrawn on a terminal. */
    static final Duration TICK = Duration.ofMillis(200);

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "60s",
            description = "How long the traffic runs, at most 10m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--kill-at", paramLabel = "TIME",
            description = "When backend-1 is killed (its server closed), from the start (default: a quarter of"
                    + " --duration, 15s of 60s).")
    Duration killAt;

    @Option(names = "--revive-at", paramLabel = "TIME",
            description = "When backend-1 comes back (a new server on its port), from the start (default: two thirds"
                    + " of --duration, 40s of 60s).")
    Duration reviveAt;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "8",
            description = "Clients, each sending one request after another on a kept-alive connection, 1 to 64"
                    + " (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--check-interval", paramLabel = "TIME",
            description = "Rewrites the case study's check interval=3000 to this, for a shorter story: with fall=3,"
                    + " a dead server is taken out by the checks after about 3 intervals.")
    Duration checkInterval;

    @Option(names = "--log",
            description = "Show the framework's own log on stderr too (servers starting, connects refused, retries);"
                    + " without it only its errors.")
    boolean log;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Run this nginx configuration as is instead of the case study; the demo starts no backends,"
                    + " kills none, and sends its traffic to the first listen socket on 127.0.0.1.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        // The framework logs through System.Logger, by default to java.util.logging: its lines say what the
        // demo's own lines say, and would break the status line. Kept to errors while the demo runs.
        java.util.logging.Logger weftLog = java.util.logging.Logger.getLogger("dev.weft");
        java.util.logging.Level level = weftLog.getLevel();
        if (!log) {
            weftLog.setLevel(java.util.logging.Level.SEVERE);
        }
        try {
            return run();
        } finally {
            weftLog.setLevel(level);
        }
    }

    private int run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Backend> backends = new ArrayList<>();
        LoadBalancer lb = null;
        try {
            LbConfig file;
            if (config == null) {
                for (int i = 1; i <= BACKENDS; i++) {
                    backends.add(Backend.start("backend-" + i));
                }
                file = LbConfig.parse(caseStudy(readCaseStudy(), backends, freePort(), checkInterval), CASE_STUDY_NAME);
            } else {
                file = readConfig();
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            lb = LoadBalancer.start(file, registry);
            int port = lb.servers().get(0).port();
            UpstreamBlock block = file.upstreams().get(0);
            UpstreamGroup group = lb.groups().get(block.name());
            Check check = block.check();
            String balance = block.balance().directive() == null ? "round robin" : block.balance().directive();
            describe(out, group, balance, check, backends, port);

            Map<Endpoint, String> names = new HashMap<>();
            backends.forEach(b -> names.put(new Endpoint("127.0.0.1", b.port()), b.name()));
            HealthWatch health = new HealthWatch(group, check, names);
            Screen screen = new Screen(out, Screen.stdoutIsTerminal());
            try (Traffic traffic = Traffic.start(port, clients,
                    backends.stream().map(Backend::name).collect(Collectors.toSet()), registry)) {
                story(screen, traffic, health, backends.isEmpty() ? null : backends.get(0));
                traffic.stop();
                return report(out, traffic, backends, group, balance);
            }
        } finally {
            if (lb != null) {
                lb.close();
            }
            backends.forEach(Backend::kill);
        }
    }

    /**
     * The minutes of the demo, on this thread: every {@link #TICK} it kills or revives the victim
     * when its time has come, prints the health transitions seen since the last tick, and refreshes
     * the status line; it returns once {@link #duration} has passed.
     */
    private void story(Screen screen, Traffic traffic, HealthWatch health, Backend victim) throws InterruptedException {
        Deque<long[]> lastSecond = new ArrayDeque<>(); // {nanos, answered} at each tick of the last second: the rate
        for (long tick = 1; ; tick++) {
            Duration now = screen.elapsed();
            if (victim != null && traffic.phase() == Phase.BEFORE_KILL && now.compareTo(killAt) >= 0) {
                screen.event("killing " + health.name(endpoint(victim)) + ": its server closes, connects are refused");
                victim.kill();
                traffic.phase(Phase.WHILE_DOWN);
            }
            if (victim != null && traffic.phase() == Phase.WHILE_DOWN && now.compareTo(reviveAt) >= 0) {
                victim.revive();
                traffic.phase(Phase.AFTER_REVIVAL);
                screen.event("reviving " + health.name(endpoint(victim)) + ": a new server listens on its port");
            }
            health.changes().forEach(screen::event);
            if (now.compareTo(duration) >= 0) {
                break;
            }
            lastSecond.addLast(new long[] {now.toNanos(), traffic.answered()});
            if (lastSecond.size() > 1 + Duration.ofSeconds(1).dividedBy(TICK)) {
                lastSecond.removeFirst();
            }
            if (lastSecond.size() > 1 && screen.statusDue()) {
                long[] first = lastSecond.getFirst();
                long[] last = lastSecond.getLast();
                screen.status(statusText(traffic, (last[1] - first[1]) * 1e9 / (last[0] - first[0])));
            }
            // ticks at 0.2 s, 0.4 s, ... from the start, so they do not drift
            long untilNextTick = TICK.toNanos() * tick - screen.elapsed().toNanos();
            if (untilNextTick > 0) {
                Thread.sleep(Duration.ofNanos(untilNextTick));
            }
        }
        screen.endStatus();
    }

    private static String statusText(Traffic traffic, double perSecond) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%,7.0f req/s ", perSecond));
        for (String body : traffic.bodies()) {
            s.append(String.format(Locale.ROOT, " %s %,d", body, traffic.answered(body)));
        }
        return s.append(String.format(Locale.ROOT, "  failed %,d", traffic.failed())).toString();
    }

    /** The final distribution, the failures and the exit status: 0 if no request failed, else 1. */
    private int report(PrintWriter out, Traffic traffic, List<Backend> backends, UpstreamGroup group, String balance) {
        long answered = traffic.answered();
        long failed = traffic.failed();
        out.printf(Locale.ROOT, "%nDistribution over %s (%s), %,d requests answered:%n",
                Screen.seconds(duration), balance, answered);
        if (backends.isEmpty()) { // --config: by answer, weights unknown
            out.printf(Locale.ROOT, "  %-24s %10s %7s%n", "answer", "requests", "share");
            for (String body : traffic.bodies()) {
                long n = traffic.answered(body);
                out.printf(Locale.ROOT, "  %-24s %,10d %6.1f%%%n", body, n, share(n, answered));
            }
        } else {
            int weights = group.upstreams().stream().mapToInt(Upstream::weight).sum();
            out.printf(Locale.ROOT, "  %-10s %-16s %-12s %10s %7s %12s %11s %14s%n", "backend", "address", "weight",
                    "requests", "share", "before kill", "while down", "after revival");
            for (Backend b : backends) {
                int weight = group.upstreams().stream().filter(u -> u.endpoint().port() == b.port())
                        .mapToInt(Upstream::weight).findFirst().orElse(0);
                long n = traffic.answered(b.name());
                out.printf(Locale.ROOT, "  %-10s %-16s %-12s %,10d %6.1f%% %,12d %,11d %,14d%n", b.name(), b.address(),
                        weight + String.format(Locale.ROOT, " (%.0f%%)", share(weight, weights)), n, share(n, answered),
                        traffic.answered(b.name(), Phase.BEFORE_KILL), traffic.answered(b.name(), Phase.WHILE_DOWN),
                        traffic.answered(b.name(), Phase.AFTER_REVIVAL));
            }
        }
        if (failed == 0) {
            out.printf("Failed requests: 0%s%n", backends.isEmpty() ? ""
                    : " (the proxy sent each request that met a dead backend on to the next server)");
            out.flush();
            return 0;
        }
        out.printf(Locale.ROOT, "FAILED: %,d requests failed, the first with: %s; exit status 1%n", failed,
                traffic.firstFailure());
        out.flush();
        return 1;
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static Endpoint endpoint(Backend b) {
        return new Endpoint("127.0.0.1", b.port());
    }

    /** What the command line may not combine: each a usage error (exit 2). */
    private void checkOptions() {
        if (config != null && (killAt != null || reviveAt != null || checkInterval != null)) {
            throw new ParameterException(spec.commandLine(),
                    "--kill-at, --revive-at and --check-interval apply to the case study, not to --config");
        }
        killAt = killAt != null ? killAt : duration.dividedBy(4);
        reviveAt = reviveAt != null ? reviveAt : duration.multipliedBy(2).dividedBy(3);
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be at most 10m, was " + duration);
        }
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new ParameterException(spec.commandLine(), "--clients must be 1 to " + MAX_CLIENTS
                    + ", was " + clients);
        }
        if (config == null && (killAt.compareTo(reviveAt) >= 0 || reviveAt.compareTo(duration) >= 0)) {
            throw new ParameterException(spec.commandLine(), "need --kill-at < --revive-at < --duration, were "
                    + Screen.seconds(killAt) + ", " + Screen.seconds(reviveAt) + " and " + Screen.seconds(duration));
        }
    }

    private static String readCaseStudy() throws IOException {
        for (Path p : CASE_STUDY) {
            if (Files.isRegularFile(p)) {
                return Files.readString(p);
            }
        }
        throw new NoSuchFileException(CASE_STUDY_NAME
                + " not found (lb-demo runs from the repository's directory, as ./weft does)");
    }

    /**
     * The case study's text with the demo's ports, as {@code LoadBalancerTest} does it:
     * {@code 127.0.0.1:8081..8083} become the backends' addresses, {@code listen 8080;} becomes
     * {@code listen 127.0.0.1:PORT;}, and with {@code checkInterval} (not null) the check line's
     * {@code interval=} changes to it.
     */
    static String caseStudy(String text, List<Backend> backends, int listenPort, Duration checkInterval) {
        for (int i = 0; i < backends.size(); i++) {
            text = replace(text, "127.0.0.1:808" + (i + 1), backends.get(i).address());
        }
        text = replace(text, "listen 8080;", "listen 127.0.0.1:" + listenPort + ";");
        if (checkInterval != null) {
            Matcher m = Pattern.compile("(?m)^(\\s*check\\s[^;#]*\\binterval=)\\w+").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException(CASE_STUDY_NAME
                        + " has no check line with interval=, which --check-interval rewrites");
            }
            text = m.replaceFirst("$1" + checkInterval.toMillis());
        }
        return text;
    }

    private static String replace(String text, String what, String with) {
        if (!text.contains(what)) {
            throw new IllegalStateException(CASE_STUDY_NAME + " no longer says \"" + what
                    + "\", which lb-demo replaces");
        }
        return text.replace(what, with);
    }

    /** The --config file, refused unless its upstream servers and first listen socket are on loopback, plain HTTP. */
    private LbConfig readConfig() throws IOException, ConfigException {
        LbConfig file;
        try {
            file = LbConfig.read(config);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "--config: no such file: " + config);
        }
        if (file.upstreams().isEmpty() || file.servers().isEmpty()) {
            throw new IllegalArgumentException(config + ": lb-demo needs an upstream block and a server block");
        }
        for (UpstreamBlock u : file.upstreams()) {
            for (UpstreamServer s : u.servers()) {
                if (!InetAddress.getByName(s.host()).isLoopbackAddress()) {
                    throw new IllegalArgumentException(config + ":" + s.line() + ": lb-demo sends load, so only to"
                            + " loopback, not to " + s.address());
                }
            }
        }
        Listen listen = file.servers().get(0).listens().get(0);
        boolean loopback = listen.address() == null || InetAddress.getByName(listen.address()).isLoopbackAddress();
        if (listen.ssl() || listen.proxyProtocol() || !loopback) {
            throw new IllegalArgumentException(config + ":" + listen.line()
                    + ": lb-demo sends plain HTTP to 127.0.0.1, so the first listen must be on loopback or any address,"
                    + " without ssl or proxy_protocol");
        }
        return file;
    }

    private void describe(PrintWriter out, UpstreamGroup group, String balance, Check check, List<Backend> backends,
            int port) {
        for (Backend b : backends) {
            out.printf("%s on %s answers \"%s\"%n", b.name(), b.address(), b.name());
        }
        out.printf("balancer on 127.0.0.1:%d runs %s: upstream %s, %s%n", port,
                config == null ? CASE_STUDY_NAME : config, group.name(), balance);
        for (Upstream u : group.upstreams()) {
            out.printf("  server %s weight=%d max_fails=%d fail_timeout=%s%s%n", u.endpoint(), u.weight(), u.maxFails(),
                    Screen.seconds(u.failTimeout()), u.backup() ? " backup" : "");
        }
        if (check != null) {
            out.printf("  check interval=%s rise=%d fall=%d timeout=%s type=%s%n", Screen.seconds(check.interval()),
                    check.rise(), check.fall(), Screen.seconds(check.timeout()), check.type());
        }
        out.printf("%d clients for %s%s%n", clients, Screen.seconds(duration), backends.isEmpty() ? ""
                : "; backend-1 is killed at " + Screen.clock(killAt) + " and revived at " + Screen.clock(reviveAt));
        out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

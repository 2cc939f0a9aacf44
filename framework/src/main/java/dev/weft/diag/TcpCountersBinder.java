package dev.weft.diag;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the kernel's TCP counters as meters: {@code weft.tcp.kernel.<name>} function counters
 * (for example {@code weft.tcp.kernel.retrans.segs}, {@code weft.tcp.kernel.listen.overflows}) and
 * the {@code weft.tcp.kernel.curr.estab} gauge. The files are read at most once a second, however
 * many meters are scraped. Where {@code /proc} is missing it registers nothing and logs one line.
 */
public final class TcpCountersBinder implements MeterBinder {

    private static final System.Logger LOG = System.getLogger(TcpCountersBinder.class.getName());
    /** The counters worth a meter: loss, resets, failed connects, accept-queue overflows, timeouts. */
    static final String[] COUNTERS = {"ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "InSegs",
        "OutSegs", "RetransSegs", "InErrs", "OutRsts", "ListenOverflows", "ListenDrops", "TCPTimeouts",
        "TCPLostRetransmit", "TCPAbortOnData", "TCPAbortOnTimeout", "TCPAbortOnClose"};
    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private volatile TcpCounters last;
    private volatile long readAt;

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!TcpCounters.available()) {
            LOG.log(Level.INFO, "no /proc/net/snmp here: kernel TCP counters are not published");
            return;
        }
        for (String name : COUNTERS) {
            FunctionCounter.builder("weft.tcp.kernel." + meterName(name), this, b -> b.current().get(name))
                    .description("Kernel TCP counter " + name + " (/proc/net/snmp, /proc/net/netstat)")
                    .register(registry);
        }
        Gauge.builder("weft.tcp.kernel.curr.estab", this, b -> b.current().get("CurrEstab"))
                .description("TCP connections in ESTABLISHED or CLOSE_WAIT now").register(registry);
    }

    /** {@code RetransSegs} becomes {@code retrans.segs}, {@code TCPLostRetransmit} {@code lost.retransmit}. */
    static String meterName(String kernelName) {
        String name = kernelName.startsWith("TCP") ? kernelName.substring(3) : kernelName;
        return name.replaceAll("([a-z])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
    }

    /** The counters, re-read when the last reading is older than a second (racing readers both read: harmless). */
    TcpCounters current() {
        TcpCounters c = last;
        long now = System.nanoTime();
        if (c == null || now - readAt > MAX_AGE_NANOS) {
            try {
                c = TcpCounters.read();
                last = c;
                readAt = now;
            } catch (IOException e) {
                return c == null ? TcpCounters.parse("", "") : c;
            }
        }
        return c;
    }
}

package dev.weft.bench.harness;

import dev.weft.bench.servers.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Draws a protocol's closed-loop results as a self-contained SVG: throughput (left) and p99
 * latency (right) against the connection count, one line per server, the median with a whisker
 * from min to max. Plain strings, no dependencies; stateless and thread-safe. A server missing at
 * a connection count simply has no point there; a protocol with no closed-loop results gets empty
 * axes and a note saying so.
 */
final class SvgChart {

    /** The protocols that get a chart ({@code echo.svg}, {@code http.svg}); the reverse proxy has a table only. */
    static final List<Protocol> CHARTED = List.of(Protocol.ECHO, Protocol.HTTP);

    private static final int WIDTH = 920;
    private static final int HEIGHT = 400;
    private static final int PANEL_WIDTH = 360;
    private static final int PANEL_HEIGHT = 250;
    private static final int TOP = 70;
    private static final int[] LEFT = {75, 520};
    /** Weft first and strongest; the others in muted, distinct colours. */
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private SvgChart() {
    }

    static String render(Protocol protocol, List<Summary> summaries, String subtitle) {
        List<Summary> closed = summaries.stream()
                .filter(s -> s.scenario().protocol() == protocol && s.scenario().tool() == Scenario.Tool.WEFT_CLIENT
                        && s.scenario().rate() == 0)
                .toList();
        List<Integer> xs = closed.stream().map(s -> s.scenario().connections()).distinct().sorted().toList();
        List<String> servers = closed.stream().map(Summary::server).distinct()
                .sorted((a, b) -> Boolean.compare(!a.startsWith("weft"), !b.startsWith("weft"))).toList();
        String unit = protocol == Protocol.ECHO ? "msgs/s" : "req/s";
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        text(svg, WIDTH / 2.0, 24, "middle", 16, "bold", (protocol == Protocol.ECHO ? "Echo, 64-byte messages"
                : "HTTP GET /hello, keep-alive") + ": closed loop, load client in its own JVM");
        text(svg, WIDTH / 2.0, 44, "middle", 12, "normal", subtitle);
        panel(svg, 0, unit, xs, servers, closed, Summary::msgsPerSec, 1);
        panel(svg, 1, "p99 latency, ms", xs, servers, closed, Summary::p99Us, 1e-3);
        if (xs.isEmpty()) {
            text(svg, WIDTH / 2.0, TOP + PANEL_HEIGHT / 2.0, "middle", 14, "normal",
                    "no closed-loop results for this protocol in this run");
        }
        legend(svg, servers);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, int index, String title, List<Integer> xs, List<String> servers,
            List<Summary> closed, Function<Summary, Stat> figure, double scale) {
        int left = LEFT[index];
        int bottom = TOP + PANEL_HEIGHT;
        double max = closed.stream().map(figure).filter(Stat::measured).mapToDouble(s -> s.max() * scale)
                .max().orElse(1);
        double step = niceStep(max / 5);
        double top = Math.max(step, Math.ceil(max / step) * step);
        text(svg, left + PANEL_WIDTH / 2.0, TOP - 10, "middle", 13, "bold", title);
        for (double v = 0; v <= top + step / 2; v += step) {
            double y = bottom - v / top * PANEL_HEIGHT;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, y, left + PANEL_WIDTH, y));
            text(svg, left - 6, y + 4, "end", 11, "normal", label(v, step));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left, bottom, left + PANEL_WIDTH, bottom));
        for (int i = 0; i < xs.size(); i++) {
            text(svg, x(left, i, xs.size()), bottom + 18, "middle", 11, "normal", String.format("%,d", xs.get(i)));
        }
        text(svg, left + PANEL_WIDTH / 2.0, bottom + 36, "middle", 11, "normal", "connections");
        // Weft is first in the legend but drawn last, so that its line lies on top of the others.
        for (int k = servers.size() - 1; k >= 0; k--) {
            String server = servers.get(k);
            String colour = COLOURS[k % COLOURS.length];
            boolean weft = server.startsWith("weft");
            StringBuilder points = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < xs.size(); i++) {
                int c = xs.get(i);
                Stat s = closed.stream().filter(x -> x.scenario().connections() == c && x.server().equals(server))
                        .map(figure).filter(Stat::measured).findFirst().orElse(null);
                if (s == null) {
                    continue;
                }
                double px = x(left, i, xs.size());
                double py = bottom - s.median() * scale / top * PANEL_HEIGHT;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                marks.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                        + " stroke=\"%s\" stroke-width=\"1\"/>%n", px, bottom - s.min() * scale / top * PANEL_HEIGHT,
                        px, bottom - s.max() * scale / top * PANEL_HEIGHT, colour));
                marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>%n",
                        px, py, weft ? 5 : 3, colour));
            }
            if (!points.isEmpty()) {
                svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                        + " stroke-width=\"%s\"/>%n", points.toString().trim(), colour, weft ? "3" : "1.5"));
                svg.append(marks);
            }
        }
    }

    private static void legend(StringBuilder svg, List<String> servers) {
        double x = LEFT[0];
        double y = HEIGHT - 22;
        for (int k = 0; k < servers.size(); k++) {
            String colour = COLOURS[k % COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-width=\"3\"/>%n", x, y - 4, x + 20, y - 4, colour));
            text(svg, x + 26, y, "start", 12, "normal", servers.get(k));
            x += 40 + servers.get(k).length() * 7.5;
        }
    }

    /** The x of point {@code i} of {@code n}, evenly spaced (one point sits in the middle). */
    private static double x(int left, int i, int n) {
        return n == 1 ? left + PANEL_WIDTH / 2.0 : left + 30 + i * (PANEL_WIDTH - 60.0) / (n - 1);
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}: about five ticks for {@code max / 5}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }

    /**
     * A tick label with as many decimals as the step needs, in thousands or millions for large
     * steps: {@code 0}, {@code 250}, {@code 2.5}, {@code 25k}, {@code 1.5M}, {@code 0.05}.
     */
    static String label(double v, double step) {
        if (v == 0) {
            return "0";
        }
        double unit = step >= 500_000 ? 1e6 : step >= 1000 ? 1e3 : 1;
        String suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
        double scaled = step / unit;
        int decimals = 0;
        while (decimals < 6 && Math.abs(scaled - Math.rint(scaled)) > 1e-9 * Math.max(1, scaled)) {
            scaled *= 10;
            decimals++;
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v / unit) + suffix;
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String weight,
            String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\""
                + " font-weight=\"%s\">%s</text>%n", x, y, anchor, size, weight, escape(content)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.weft.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.servers.Protocol;
import dev.weft.bench.servers.ServerKind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The charts parse as XML and draw what the summaries hold: a line per server per panel, a legend. */
class SvgChartTest {

    private static final String SUBTITLE = "2026-11-25 03:00 UTC, median of 3 runs";

    @Test
    void eachPanelHasALinePerServerAndTheLegendNamesThem() throws Exception {
        for (Protocol p : SvgChart.CHARTED) {
            String svg = SvgChart.render(p, Summary.of(TestRuns.full()), SUBTITLE);
            assertFinite(svg);
            Document doc = parse(svg);
            Element root = doc.getDocumentElement();
            assertEquals("svg", root.getTagName());
            assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
            assertEquals(2 * 2, doc.getElementsByTagName("polyline").getLength(), p + ": two panels, two servers");
            List<String> texts = texts(doc);
            List<String> servers = p == Protocol.ECHO ? List.of("weft", "netty") : List.of("weft-http", "netty-http");
            assertTrue(texts.containsAll(servers), texts.toString());
            assertTrue(texts.contains(SUBTITLE), texts.toString());
            assertTrue(texts.contains(p == Protocol.ECHO ? "msgs/s" : "req/s"), texts.toString());
            assertTrue(texts.contains("p99 latency, ms"), texts.toString());
            String title = p == Protocol.ECHO ? "Echo" : "HTTP";
            assertTrue(texts.stream().anyMatch(t -> t.startsWith(title)), texts.toString());
            assertTrue(texts.contains("0"), "the y axes start at zero: " + texts);
        }
    }

    @Test
    void connectionCountsAreEvenlySpacedLabelledCategories() throws Exception {
        Document doc = parse(SvgChart.render(Protocol.ECHO, Summary.of(TestRuns.full()), SUBTITLE));
        List<String> texts = texts(doc);
        assertEquals(2, texts.stream().filter("1,000"::equals).count()); // once per panel
        assertEquals(2, texts.stream().filter("10,000"::equals).count());
        // the open-loop scenario at 10,000 connections is not a closed-loop point
        Element weft = polylines(doc).get(polylines(doc).size() - 1);
        assertEquals(2, weft.getAttribute("points").split(" ").length);
    }

    @Test
    void weftIsDrawnLastWithTheThickestLineAndEveryServerHasItsOwnColour() throws Exception {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        List<ServerKind> three = List.of(ServerKind.WEFT, ServerKind.NETTY, ServerKind.NIO);
        Scenario s = new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 1_000, 0, three);
        runs.add(TestRuns.run(s, "nio", 1, 70_000, 9_000));
        List<Element> lines = polylines(parse(SvgChart.render(Protocol.ECHO, Summary.of(runs), SUBTITLE)));
        assertEquals(6, lines.size());
        Set<String> colours = new HashSet<>();
        for (int panel = 0; panel < 2; panel++) {
            List<Element> mine = lines.subList(panel * 3, panel * 3 + 3);
            Element last = mine.get(2);
            assertEquals("3", last.getAttribute("stroke-width"), "Weft's line is on top and thickest");
            assertEquals("1.5", mine.get(0).getAttribute("stroke-width"));
            mine.forEach(l -> colours.add(l.getAttribute("stroke")));
        }
        assertEquals(3, colours.size());
    }

    @Test
    void eachPointHasAWhiskerFromMinToMax() throws Exception {
        Document doc = parse(SvgChart.render(Protocol.ECHO, Summary.of(TestRuns.full()), SUBTITLE));
        NodeList lines = doc.getElementsByTagName("line");
        int whiskers = 0;
        for (int i = 0; i < lines.getLength(); i++) {
            Element l = (Element) lines.item(i);
            if (l.getAttribute("x1").equals(l.getAttribute("x2"))
                    && !l.getAttribute("y1").equals(l.getAttribute("y2"))) {
                whiskers++;
            }
        }
        assertEquals(2 * 2 * 2, whiskers, "2 panels × 2 servers × 2 connection counts, every one with a spread");
        assertEquals(8, doc.getElementsByTagName("circle").getLength());
    }

    @Test
    void aSingleConnectionCountGivesOnePointPerLine() throws Exception {
        List<Measurement> runs = TestRuns.full().stream().filter(m -> m.scenario().equals(TestRuns.ECHO_1K)).toList();
        String svg = SvgChart.render(Protocol.ECHO, Summary.of(runs), SUBTITLE);
        assertFinite(svg);
        List<Element> lines = polylines(parse(svg));
        assertEquals(4, lines.size());
        for (Element l : lines) {
            assertTrue(l.getAttribute("points").matches("[0-9.]+,[0-9.]+"), l.getAttribute("points"));
        }
    }

    @Test
    void aMissingPointIsLeftOutAndAServerWithNoFiguresDrawsNoLine() throws Exception {
        List<Measurement> runs = new ArrayList<>(TestRuns.full());
        runs.removeIf(m -> m.server().equals("netty") && m.scenario().equals(TestRuns.ECHO_10K));
        for (int rep = 1; rep <= 3; rep++) {
            runs.add(TestRuns.failed(new Scenario(Protocol.ECHO, Scenario.Tool.WEFT_CLIENT, 1_000, 0,
                    List.of(ServerKind.NAIVE_VIRTUAL)), "naive-virtual", rep));
        }
        String svg = SvgChart.render(Protocol.ECHO, Summary.of(runs), SUBTITLE);
        assertFinite(svg);
        Document doc = parse(svg);
        List<Element> lines = polylines(doc);
        assertEquals(4, lines.size(), "weft and netty in each panel; naive-virtual has nothing to draw");
        assertEquals(1, lines.get(0).getAttribute("points").split(" ").length); // netty: 1,000 only
        assertEquals(2, lines.get(1).getAttribute("points").split(" ").length); // weft: both
        assertTrue(texts(doc).contains("naive-virtual"), "still in the legend");
    }

    @Test
    void aProtocolWithoutClosedLoopResultsStillGivesAValidChartThatSaysSo() throws Exception {
        List<Measurement> echoOnly = TestRuns.full().stream()
                .filter(m -> m.scenario().protocol() == Protocol.ECHO).toList();
        String svg = SvgChart.render(Protocol.HTTP, Summary.of(echoOnly), SUBTITLE);
        assertFinite(svg);
        Document doc = parse(svg);
        assertEquals(0, doc.getElementsByTagName("polyline").getLength());
        assertTrue(texts(doc).contains("no closed-loop results for this protocol in this run"));
    }

    @Test
    void textIsEscaped() throws Exception {
        String svg = SvgChart.render(Protocol.ECHO, Summary.of(TestRuns.full()), "a <b> & \"c\"");
        assertTrue(texts(parse(svg)).contains("a <b> & \"c\""));
        assertEquals("&lt;x&gt; &amp; &quot;y&quot;", SvgChart.escape("<x> & \"y\""));
    }

    @Test
    void theReportDrawsBothProtocolsWithItsDateAndRepetitions() throws Exception {
        Report report = TestRuns.report(TestRuns.full(), List.of());
        for (Protocol p : SvgChart.CHARTED) {
            assertTrue(texts(parse(report.chartSvg(p))).contains("2026-11-25 03:00 UTC, median of 3 runs"));
        }
    }

    @Test
    void theChartIsAboutNineHundredByFourHundred() throws Exception {
        Element root = parse(SvgChart.render(Protocol.ECHO, List.of(), SUBTITLE)).getDocumentElement();
        int width = Integer.parseInt(root.getAttribute("width"));
        int height = Integer.parseInt(root.getAttribute("height"));
        assertTrue(width >= 850 && width <= 950, "width " + width);
        assertTrue(height >= 350 && height <= 420, "height " + height);
    }

    @Test
    void ticksAreNiceNumbers() {
        assertEquals(20_000, SvgChart.niceStep(12_000), 1e-9);
        assertEquals(50, SvgChart.niceStep(31), 1e-9);
        assertEquals(1, SvgChart.niceStep(Double.NaN), 1e-9);
        assertEquals("0", SvgChart.label(0, 20_000));
        assertEquals("40k", SvgChart.label(40_000, 20_000));
        assertEquals("1.5M", SvgChart.label(1_500_000, 500_000));
        assertEquals("1.0M", SvgChart.label(1_000_000, 500_000)); // as many decimals as the step needs
        assertEquals(25_000, SvgChart.niceStep(22_000), 1e-9);
        assertEquals("75k", SvgChart.label(75_000, 25_000));
        assertEquals("7.5k", SvgChart.label(7_500, 2_500));
        assertEquals("5.0", SvgChart.label(5, 2.5));
        assertEquals("0.75", SvgChart.label(0.75, 0.25));
        assertEquals("250", SvgChart.label(250, 50));
        assertEquals("0.5", SvgChart.label(0.5, 0.5));
        assertEquals("0.15", SvgChart.label(0.15, 0.05));
    }

    private static void assertFinite(String svg) {
        assertFalse(svg.contains("NaN") || svg.contains("Infinity"), svg);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document doc) {
        NodeList nodes = doc.getElementsByTagName("text");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            all.add(nodes.item(i).getTextContent());
        }
        return all;
    }

    private static List<Element> polylines(Document doc) {
        NodeList nodes = doc.getElementsByTagName("polyline");
        List<Element> all = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            all.add((Element) nodes.item(i));
        }
        return all;
    }
}

package dev.weft.http;

import static dev.weft.http.RawHttpClient.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.http.RawHttpClient.RawResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The router seen from the wire: exact and {@code {param}} routes, decoding of parameters and
 * query strings, 404, 405 with {@code Allow}, HEAD on GET routes, the fallback, and the templates
 * the builder refuses.
 */
class ServerRoutingTest {

    private static final ServerHarness HARNESS = new ServerHarness();
    private static final ServerHarness WITH_FALLBACK = new ServerHarness();
    private static final AtomicReference<ServerSeenRequest> SEEN = new AtomicReference<>();

    @BeforeAll
    static void start() {
        HttpHandler record = (req, res) -> {
            ServerSeenRequest seen = ServerSeenRequest.of(req, false);
            SEEN.set(seen);
            res.send(req.route() + " " + new TreeMap<>(req.pathParams()));
        };
        HARNESS.start(b -> b
                // The parameter route comes first: exact routes still win over it.
                .get("/users/{id}", record)
                .get("/users/me", record)
                .get("/", record)
                .get("/users", record)
                .delete("/users/{id}", record)
                .route("PATCH", "/users/{id}", record)
                .put("/users/{id}/posts/{post}", record)
                .post("/form", record)
                .get("/q", record));
        WITH_FALLBACK.start(b -> b
                .get("/known", record)
                .fallback((req, res) -> {
                    SEEN.set(ServerSeenRequest.of(req, true));
                    res.send(404, "fallback " + req.method() + " " + req.path() + " route=" + req.route());
                }));
    }

    @AfterAll
    static void stop() {
        HARNESS.close();
        WITH_FALLBACK.close();
    }

    @BeforeEach
    void reset() {
        SEEN.set(null);
    }

    private static RawResponse send(ServerHarness on, String method, String target) throws IOException {
        boolean headRequest = method.equals("HEAD");
        try (RawHttpClient client = RawHttpClient.connect(on.server())) {
            return client.send(head(method + " " + target + " HTTP/1.1", "Host: h")).readResponse(headRequest);
        }
    }

    private static RawResponse get(String target) throws IOException {
        return send(HARNESS, "GET", target);
    }

    @Test
    void exactRoutesWinOverParameterRoutes() throws IOException {
        assertEquals("/ {}", get("/").bodyText());
        assertEquals("/users {}", get("/users").bodyText());
        assertEquals("/users/me {}", get("/users/me").bodyText());
        assertEquals("/users/{id} {id=you}", get("/users/you").bodyText());
    }

    @Test
    void pathParametersArePercentDecodedPerSegment() throws IOException {
        assertEquals("/users/{id} {id=42}", get("/users/42").bodyText());
        assertEquals("/users/{id} {id=J\u00f6rg}", get("/users/J%C3%B6rg").bodyText());
        assertEquals("/users/{id} {id=a/b}", get("/users/a%2Fb").bodyText(), "an encoded slash stays in its segment");
        assertEquals("/users/{id} {id=a+b}", get("/users/a+b").bodyText(), "+ is a space only in queries");
        assertEquals("/users/{id} {id=a b}", get("/users/a%20b").bodyText());
        RawResponse r = send(HARNESS, "PUT", "/users/7/posts/x%3Fy");
        assertEquals("/users/{id}/posts/{post} {id=7, post=x?y}", r.bodyText());
        assertEquals("/users/7/posts/x%3Fy", SEEN.get().path(), "path() stays encoded");
    }

    @Test
    void malformedPercentEncodingInAPathParameterIs400() throws IOException {
        for (String target : List.of("/users/%zz", "/users/%", "/users/a%2")) {
            try (RawHttpClient client = RawHttpClient.connect(HARNESS.server())) {
                RawResponse r = client.send(head("GET " + target + " HTTP/1.1", "Host: h")).readResponse();
                assertEquals(400, r.status, target);
                assertTrue(r.header("Content-Type").startsWith("text/plain"));
                assertTrue(client.awaitClose());
            }
            assertNull(SEEN.get());
        }
    }

    @Test
    void queryParametersAreDecoded() throws IOException {
        RawResponse r = get("/q?a=1&b=x+y&a=2&c&d=&e=%C3%A9%2B%26&&f=a=b");
        assertEquals(200, r.status);
        ServerSeenRequest seen = SEEN.get();
        assertEquals("a=1&b=x+y&a=2&c&d=&e=%C3%A9%2B%26&&f=a=b", seen.rawQuery());
        assertEquals(Map.of("a", List.of("1", "2"), "b", List.of("x y"), "c", List.of(""), "d", List.of(""),
                "e", List.of("\u00e9+&"), "f", List.of("a=b")), seen.query());
        assertEquals("/q", seen.path());

        get("/q");
        assertNull(SEEN.get().rawQuery());
        assertEquals(Map.of(), SEEN.get().query());
        get("/q?");
        assertEquals("", SEEN.get().rawQuery());
        assertEquals(Map.of(), SEEN.get().query());
    }

    @Test
    void queryParamReturnsTheFirstValueOrNull() throws IOException {
        AtomicReference<String> seen = new AtomicReference<>();
        try (ServerHarness h = new ServerHarness()) {
            h.start(b -> b.get("/", (req, res) -> {
                seen.set(req.queryParam("a") + "|" + req.queryParam("missing") + "|" + req.queryParam("c"));
                res.send("ok");
            }));
            assertEquals(200, h.exchange(head("GET /?a=first&a=second&c HTTP/1.1", "Host: h")).status);
        }
        assertEquals("first|null|", seen.get());
    }

    @Test
    void malformedPercentEncodingInTheQueryIs400() throws IOException {
        try (RawHttpClient client = RawHttpClient.connect(HARNESS.server())) {
            RawResponse r = client.send(head("GET /q?a=%zz HTTP/1.1", "Host: h")).readResponse();
            assertEquals(400, r.status);
            assertTrue(client.awaitClose());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nowhere", "/users/42/", "/users/", "/users/1/posts", "/users/1/posts/2/x", "//",
        "/users//posts/1", "/Users"})
    void unknownPathsAre404(String target) throws IOException {
        try (RawHttpClient client = RawHttpClient.connect(HARNESS.server())) {
            RawResponse r = client.send(head("GET " + target + " HTTP/1.1", "Host: h")).readResponse();
            assertEquals(404, r.status, target);
            assertNull(r.header("Allow"));
            assertNull(SEEN.get());
            // A 404 keeps the connection.
            assertEquals("/ {}", client.send(head("GET / HTTP/1.1", "Host: h")).readResponse().bodyText());
        }
    }

    @Test
    void wrongMethodIs405WithAllow() throws IOException {
        assertEquals(Set.of("GET", "HEAD", "DELETE", "PATCH"), allow(send(HARNESS, "POST", "/users/42")));
        assertEquals(Set.of("GET", "HEAD"), allow(send(HARNESS, "POST", "/")));
        assertEquals(Set.of("GET", "HEAD", "DELETE", "PATCH"), allow(send(HARNESS, "OPTIONS", "/users/me")),
                "an exact path that also matches a parameter route allows the methods of both");
        assertEquals(Set.of("PUT"), allow(send(HARNESS, "GET", "/users/1/posts/2")));
        assertEquals(Set.of("POST"), allow(send(HARNESS, "HEAD", "/form")), "HEAD only where GET is");
        assertEquals(Set.of("POST"), allow(send(HARNESS, "GET", "/form")));
        assertNull(SEEN.get());
    }

    private static Set<String> allow(RawResponse r) {
        assertEquals(405, r.status, r::toString);
        assertNotNull(r.header("Allow"), r::toString);
        List<String> methods = Arrays.stream(r.header("Allow").split(",")).map(String::strip).toList();
        assertEquals(methods.size(), new TreeSet<>(methods).size(), "no method twice: " + methods);
        return Set.copyOf(methods);
    }

    @Test
    void headIsServedByTheGetRoute() throws IOException {
        RawResponse get = get("/users/42");
        RawResponse head = send(HARNESS, "HEAD", "/users/42");
        assertEquals(200, head.status);
        assertEquals("HEAD", SEEN.get().method());
        assertEquals("/users/{id}", SEEN.get().route());
        assertEquals(get.header("Content-Length"), head.header("Content-Length"));
        assertEquals(0, head.body.length);
        assertEquals(200, send(HARNESS, "HEAD", "/").status);
    }

    @Test
    void theFallbackGetsEveryUnmatchedRequest() throws IOException {
        assertEquals("/known {}", send(WITH_FALLBACK, "GET", "/known").bodyText());
        RawResponse r = send(WITH_FALLBACK, "GET", "/unknown/path?x=1");
        assertEquals(404, r.status);
        assertEquals("fallback GET /unknown/path route=null", r.bodyText());
        assertEquals("x=1", SEEN.get().rawQuery());
        // Another method on a routed path goes to the fallback too, not to a 405.
        assertEquals("fallback POST /known route=null", send(WITH_FALLBACK, "POST", "/known").bodyText());
        assertEquals("fallback DELETE / route=null", send(WITH_FALLBACK, "DELETE", "/").bodyText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"users/{id}", "", "/a{b}", "/{a}b", "/{}", "/{id", "/id}", "/a/{b}c/d", "/{a{b}}x"})
    void theBuilderRefusesMalformedTemplates(String template) {
        HttpServer.Builder builder = HttpServer.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.get(template, (req, res) -> { }), template);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GE T", "", "GET/", "G\u00e9T", "GET\r\n"})
    void theBuilderRefusesMethodsThatAreNotTokens(String method) {
        HttpServer.Builder builder = HttpServer.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.route(method, "/", (req, res) -> { }));
    }

    @Test
    void theBuilderRefusesDuplicateExactRoutesWithoutStartingAnything() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpServer.Builder builder = HttpServer.builder().meterRegistry(registry)
                .get("/x", (req, res) -> { })
                .post("/x", (req, res) -> { })
                .get("/x", (req, res) -> { });
        assertThrows(IllegalArgumentException.class, builder::start);
        assertTrue(registry.getMeters().isEmpty(), "no meters left behind: " + registry.getMeters());

        assertThrows(IllegalStateException.class, () -> HttpServer.builder().meterRegistry(registry).start(),
                "neither a route nor a fallback");
    }
}

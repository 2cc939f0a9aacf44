package dev.weft.examples.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LbConfig#read}: the file, its encoding, its size, and paths relative to it. */
class ReadFileTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    @Test
    void relativeFileNamesResolveAgainstTheConfigurationsDirectory() throws Exception {
        Path conf = write("etc/lb.conf", """
                proxy_ssl_trusted_certificate ca/upstreams.pem;
                server {
                    listen 8443 ssl;
                    ssl_certificate certs/lb.pem;
                    ssl_certificate_key /secure/lb.key;
                    location / { proxy_pass https://127.0.0.1:9443; }
                }
                """.getBytes(StandardCharsets.UTF_8));
        LbConfig c = LbConfig.read(conf);
        ServerBlock s = c.servers().get(0);
        assertEquals(dir.resolve("etc/certs/lb.pem"), s.sslCertificate());
        assertEquals(Path.of("/secure/lb.key"), s.sslCertificateKey());
        assertEquals(dir.resolve("etc/ca/upstreams.pem"), s.locations().get(0).proxy().sslTrustedCertificate());
        assertEquals(conf, c.file());
    }

    @Test
    void errorsNameTheFileAsItWasGiven() throws Exception {
        Path conf = write("lb.conf", "server {\n    listen 8080;\n    bogus;\n}\n".getBytes(StandardCharsets.UTF_8));
        ConfigException e = assertThrows(ConfigException.class, () -> LbConfig.read(conf));
        assertEquals("unknown directive \"bogus\" in " + conf + ":3", e.getMessage());
        assertEquals(conf, e.file());
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedAtTheLine() throws Exception {
        Path conf = write("lb.conf", "server {\n    listen 8080;\n    # caf\u00e9\n}\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("invalid UTF-8 byte sequence in " + conf + ":3",
                assertThrows(ConfigException.class, () -> LbConfig.read(conf)).getMessage());
    }

    @Test
    void aByteOrderMarkIsAccepted() throws Exception {
        Path conf = write("lb.conf", "\uFEFFserver { listen 8080; return 204; }\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(204, LbConfig.read(conf).servers().get(0).ret().code());
    }

    @Test
    void aFileOverTheLimitIsNotReadToItsEnd() throws Exception {
        byte[] big = new byte[3 * ConfigLexer.MAX_FILE_BYTES];
        java.util.Arrays.fill(big, (byte) '#');
        Path conf = write("big.conf", big);
        assertEquals("configuration file is larger than 1048576 bytes in " + conf + ":1",
                assertThrows(ConfigException.class, () -> LbConfig.read(conf)).getMessage());
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertThrows(NoSuchFileException.class, () -> LbConfig.read(dir.resolve("missing.conf")));
    }
}

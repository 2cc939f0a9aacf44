package dev.weft.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx as a reverse proxy: {@code worker_processes 2} (the machine's two cores), an
 * {@code upstream} of the one backend with {@code keepalive 64} idle connections per worker,
 * HTTP/1.1 to the backend with the {@code Connection} field cleared (what keep-alive to an
 * upstream needs), no access log; {@code daemon off} so that the harness's process is nginx's
 * master, its workers are its children; pid file, error log and temporary files in the
 * measurement's own directory. Otherwise nginx's defaults.
 */
final class NginxPeer implements ProxyPeer {

    /** Open files per worker: a client and a backend connection per request in flight, within the 20,000 limit. */
    static final int RLIMIT_NOFILE = 19_000;
    /**
     * Connections per worker, client and backend ones together: room for the largest connection
     * count of the scenario and a backend connection for each even if one worker takes them all.
     */
    static final int WORKER_CONNECTIONS = 18_000;

    private static final Pattern VERSION = Pattern.compile("nginx/(\\S+)");

    @Override
    public String name() {
        return "nginx";
    }

    @Override
    public Path binary() {
        return Path.of("/usr/sbin/nginx");
    }

    @Override
    public String debianPackage() {
        return "nginx-light";
    }

    @Override
    public String configName() {
        return "nginx.conf";
    }

    @Override
    public String config(String port, String backendPort, String dir) {
        return """
                daemon off;
                worker_processes 2;
                worker_rlimit_nofile %4$d;
                pid %3$s/nginx.pid;
                error_log %3$s/nginx.log warn;

                events {
                    worker_connections %5$d;
                }

                http {
                    access_log off;
                    client_body_temp_path %3$s/client_body_temp;
                    proxy_temp_path %3$s/proxy_temp;
                    fastcgi_temp_path %3$s/fastcgi_temp;
                    uwsgi_temp_path %3$s/uwsgi_temp;
                    scgi_temp_path %3$s/scgi_temp;

                    upstream backend {
                        server 127.0.0.1:%2$s;
                        keepalive 64;
                    }

                    server {
                        listen 127.0.0.1:%1$s backlog=4096;

                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(port, backendPort, dir, RLIMIT_NOFILE, WORKER_CONNECTIONS);
    }

    @Override
    public List<String> command(Path dir) {
        // -e: the error log before the config is read (else nginx opens its compiled-in one first).
        return List.of(binary().toString(), "-p", dir + "/", "-c", dir.resolve(configName()).toString(),
                "-e", dir.resolve("nginx.log").toString());
    }

    @Override
    public String bindFailure() {
        return "Address already in use";
    }

    @Override
    public List<String> versionCommand() {
        return List.of(binary().toString(), "-v");
    }

    @Override
    public Optional<String> version(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}

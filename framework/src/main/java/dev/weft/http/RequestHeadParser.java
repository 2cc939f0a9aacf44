package dev.weft.http;

import dev.weft.http.RequestHead.TargetForm;
import java.io.IOException;

/**
 * Reads one request head (RFC 9112 sections 3 and 5) from an {@link HttpInput}, strictly.
 *
 * <p>Request line: {@code method SP request-target SP HTTP-version CRLF} with single spaces; the
 * method a token; the target visible ASCII in one of the four forms, authority-form only for
 * CONNECT and asterisk-form only for OPTIONS; the version HTTP/1.1 or HTTP/1.0, a later HTTP/1.x
 * read as HTTP/1.1 (RFC 9110 section 6.2), 505 for another major version, 400 for anything else. Over {@code maxRequestLineLength}: 414. Then the
 * header section (see {@link HeaderParser}); an HTTP/1.1 request needs exactly one valid
 * {@code Host}, and an HTTP/1.0 request at most one (valid). One empty line before the request
 * line is skipped, as RFC 9112 section 2.2 asks.
 */
final class RequestHeadParser {

    private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0"};

    private final HttpLimits limits;

    RequestHeadParser(HttpLimits limits) {
        this.limits = limits;
    }

    /**
     * Reads the next request head.
     *
     * @return the head, or {@code null} when the stream ended cleanly before a request began
     * @throws HttpException for a request that is refused
     */
    RequestHead read(HttpInput in) throws IOException {
        String line = in.readLine(limits.maxRequestLineLength(), RequestHeadParser::tooLong);
        if (line != null && line.isEmpty()) {
            line = in.readLine(limits.maxRequestLineLength(), RequestHeadParser::tooLong);
        }
        if (line == null) {
            return null;
        }
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            throw HttpException.badRequest("malformed request line");
        }
        String method = common(line, 0, sp1, METHODS);
        if (!Tokens.isToken(method)) {
            throw HttpException.badRequest("invalid method");
        }
        String target = line.substring(sp1 + 1, sp2);
        String version = checkVersion(common(line, sp2 + 1, line.length(), VERSIONS));
        TargetForm form = formOf(method, target);

        Headers headers = new Headers();
        HeaderParser.read(in, headers, limits.maxHeaderSize(), limits.maxHeaderCount(), "header");
        RequestHead head = new RequestHead(method, target, form, version, headers.readOnly());
        checkHost(headers, head.isHttp11());
        return head;
    }

    /**
     * {@code line[from, to)} as one of {@code known} when it is exactly that (so the usual methods and
     * versions cost no new String per request), else as a new substring.
     */
    private static String common(String line, int from, int to, String[] known) {
        int length = to - from;
        for (String k : known) {
            if (k.length() == length && line.startsWith(k, from)) {
                return k;
            }
        }
        return line.substring(from, to);
    }

    private static HttpException tooLong() {
        return HttpException.closing(414, "request line too long");
    }

    /**
     * HTTP/1.0 and HTTP/1.1 as they are. A later 1.x is read as HTTP/1.1, the highest minor version
     * this server conforms to, as RFC 9110 sections 2.5 and 6.2 ask (SHOULD); another major version
     * is a 505.
     */
    private static String checkVersion(String version) {
        if (version.equals("HTTP/1.1") || version.equals("HTTP/1.0")) {
            return version;
        }
        if (version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                && version.charAt(6) == '.' && isDigit(version.charAt(7))) {
            if (version.charAt(5) == '1') {
                return "HTTP/1.1";
            }
            throw HttpException.closing(505, "HTTP version not supported");
        }
        throw HttpException.badRequest("malformed HTTP version");
    }

    private static TargetForm formOf(String method, String target) {
        if (target.isEmpty()) {
            throw HttpException.badRequest("empty request target");
        }
        for (int i = 0; i < target.length(); i++) {
            if (!Tokens.isTargetChar(target.charAt(i))) {
                throw HttpException.badRequest("invalid character in the request target");
            }
        }
        boolean connect = method.equals("CONNECT");
        if (connect) {
            if (!isAuthority(target)) {
                throw HttpException.badRequest("CONNECT needs a host:port target");
            }
            return TargetForm.AUTHORITY;
        }
        if (target.charAt(0) == '/') {
            return TargetForm.ORIGIN;
        }
        if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw HttpException.badRequest("the * target is for OPTIONS only");
            }
            return TargetForm.ASTERISK;
        }
        int scheme = target.indexOf("://");
        if (scheme > 0 && Character.isLetter(target.charAt(0))) {
            return TargetForm.ABSOLUTE;
        }
        throw HttpException.badRequest("malformed request target");
    }

    /** {@code host:port} with a non-empty host (a bracketed IPv6 literal allowed) and a port 0..65535. */
    static boolean isAuthority(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1 || target.length() - colon - 1 > 5) {
            return false;
        }
        String host = target.substring(0, colon);
        if (host.indexOf('/') >= 0 || host.indexOf('@') >= 0) {
            return false;
        }
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < target.length(); i++) {
            char c = target.charAt(i);
            if (!isDigit(c)) {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65_535;
    }

    /** RFC 9112 section 3.2: Host is required in HTTP/1.1, but repeated or invalid is a 400 in any version. */
    private static void checkHost(Headers headers, boolean required) {
        int hosts = headers.count("Host");
        if (hosts == 0 && !required) {
            return;
        }
        if (hosts != 1) {
            throw HttpException.badRequest(hosts == 0 ? "missing Host header" : "more than one Host header");
        }
        String host = headers.first("Host");
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!isHostChar(c)) {
                throw HttpException.badRequest("invalid Host header");
            }
        }
    }

    /**
     * A character of {@code uri-host [":" port]} (RFC 3986: reg-name, IP-literal, port), as an
     * allow-list so that {@code ?}, {@code #}, {@code \}, quotes and markup are refused; the comma,
     * a sub-delim, is refused too because a Host that looks like a list is ambiguous.
     */
    private static boolean isHostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)
                || "-._~!$&'()*+;=%:[]".indexOf(c) >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

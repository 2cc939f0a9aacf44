package dev.weft.http;

/** Reason phrases for the status codes this server sends, and which statuses carry no body. */
final class Status {

    private Status() {
    }

    /** The standard reason phrase (RFC 9110 section 15), or "Status" for a code it does not name. */
    private static final String[] LINES_11 = new String[1000];
    private static final String[] LINES_10 = new String[1000];

    /**
     * {@code "HTTP/1.1 200 OK\r\n"} and the like, made once per status and version (a benign race may
     * make one twice).
     */
    static String line(boolean http11, int code) {
        String[] lines = http11 ? LINES_11 : LINES_10;
        String line = lines[code];
        if (line == null) {
            line = (http11 ? "HTTP/1.1 " : "HTTP/1.0 ") + code + " " + reason(code) + "\r\n";
            lines[code] = line;
        }
        return line;
    }

    static String reason(int code) {
        return switch (code) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    /** 1xx, 204 and 304 responses never have a body (RFC 9110 sections 15.2, 15.3.5, 15.4.5). */
    static boolean forbidsBody(int code) {
        return code < 200 || code == 204 || code == 304;
    }

    /** The {@code outcome} tag of the request timer. */
    static String outcome(int code) {
        if (code < 200) {
            return "INFORMATIONAL";
        }
        if (code < 300) {
            return "SUCCESS";
        }
        if (code < 400) {
            return "REDIRECTION";
        }
        return code < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}

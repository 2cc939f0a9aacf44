/**
 * Weft: thread-per-connection network servers and clients on virtual threads.
 *
 * <p>Only API packages are exported; everything else stays package-private inside them.
 */
module dev.weft {
    requires transitive micrometer.core;
    requires org.apache.commons.pool2;
    requires jdk.net;

    exports dev.weft.tcp;
    exports dev.weft.http;
    exports dev.weft.dns;
    exports dev.weft.client;
    exports dev.weft.balance;
    exports dev.weft.proxy;
    exports dev.weft.diag;
}

package dev.weft.bench.servers;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * Netty's {@code HttpHelloWorldServer} example on epoll: {@code HttpServerCodec}, a handler that
 * answers each request with a full response (Content-Type, Content-Length, keep-alive as the
 * request asks) and flushes once per read batch. Like the example it answers every path the same.
 *
 * <p>Unlike the example it also sends {@code Date}, formatted once per second: an origin server
 * must (RFC 9110 section 6.6.1), Weft does, and so both servers send the same bytes per response
 * (TechEmpower's plaintext test asks the same of every entrant).
 */
final class NettyHttpServer {

    private NettyHttpServer() {
    }

    static BenchServer start() {
        return NettyEchoServer.NettyServers.start(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(), new Hello());
            }
        });
    }

    private static final class Hello extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest req)) {
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(Protocol.HELLO_BODY));
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .set(HttpHeaderNames.DATE, HttpDate.now())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            if (keepAlive) {
                if (!req.protocolVersion().isKeepAliveDefault()) {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The {@code Date} value, formatted once per second and shared by every event loop. */
    private static final class HttpDate {
        private record Formatted(long second, AsciiString value) {
        }

        private static volatile Formatted current = new Formatted(Long.MIN_VALUE, AsciiString.EMPTY_STRING);

        static AsciiString now() {
            long second = System.currentTimeMillis() / 1000;
            Formatted f = current;
            if (f.second() != second) {
                f = new Formatted(second, new AsciiString(DateFormatter.format(new Date(second * 1000))));
                current = f;
            }
            return f.value();
        }
    }
}

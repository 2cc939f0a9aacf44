package dev.weft.bench.servers;

import dev.weft.bench.Loopback;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/**
 * Netty's echo server as its own example writes it, on the native epoll transport with Netty's
 * defaults (one boss thread, twice as many worker event loops as cores, the pooled direct
 * allocator): write what was read, flush once per read batch.
 */
final class NettyEchoServer {

    private NettyEchoServer() {
    }

    static BenchServer start() {
        return NettyServers.start(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(Echo.INSTANCE);
            }
        });
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Bootstrapping shared by the Netty servers. */
    static final class NettyServers {
        private NettyServers() {
        }

        static BenchServer start(ChannelInitializer<SocketChannel> init) {
            EventLoopGroup boss = new EpollEventLoopGroup(1);
            EventLoopGroup workers = new EpollEventLoopGroup();
            try {
                Channel listener = new ServerBootstrap()
                        .group(boss, workers)
                        .channel(EpollServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, BenchServer.BACKLOG)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(init)
                        .bind(new InetSocketAddress(Loopback.address(), 0))
                        .syncUninterruptibly()
                        .channel();
                int port = ((InetSocketAddress) listener.localAddress()).getPort();
                return new WeftServers.Started(port, () -> {
                    listener.close().syncUninterruptibly();
                    boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                    workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                });
            } catch (RuntimeException e) {
                boss.shutdownGracefully();
                workers.shutdownGracefully();
                throw e;
            }
        }
    }
}

package io.pulse.api;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/** Ends the stream of a client that stopped reading (/metrics/stream, /alerts/stream), freeing its place. */
public final class StalledClients {

    private StalledClients() {
    }

    /**
     * Lets a stalled client go: the web layer then cancels its stream. Vert.x's own close (of the response, the
     * connection, or the channel through its pipeline) first flushes what is pending, which a client that stopped
     * reading never takes: it closed nothing. Closed from the pipeline's head, the pending writes are dropped. An
     * HTTP/2 stream is reset instead: its connection carries the client's other requests. Safe from any thread.
     */
    public static void letGo(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
            return;
        }
        HttpConnection connection = request.connection();
        ChannelHandlerContext head = connection instanceof ConnectionBase base ? base.channel().pipeline().firstContext() : null;
        if (head != null) {
            head.close();
        } else {
            connection.close();
        }
    }
}

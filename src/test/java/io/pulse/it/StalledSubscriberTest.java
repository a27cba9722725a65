package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.api.metrics.SnapshotHub;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A /metrics/stream client that stops reading, or vanished without closing (a laptop lid, a dropped network), held
 * its place until TCP gave up, ~15 minutes. Once it has taken no snapshot for pulse.metrics.stalled-after (3 s in
 * tests) its connection is closed and its place freed; a client that reads is not touched.
 */
@QuarkusTest
@TestProfile(StalledSubscriberTest.SmallSendBuffer.class)
class StalledSubscriberTest {

    /** A small server send buffer, so that a client that stops reading stalls the writes within seconds. */
    public static class SmallSendBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.test.http-send-buffer", "4096");
        }
    }

    @Inject
    SnapshotHub hub;

    @TestHTTPResource("/metrics/stream?view=dashboard")
    String streamUrl;

    @Test
    void shouldCloseTheConnectionOfASubscriberThatStoppedReading() throws Exception {
        long stalledBefore = hub.stalledSubscribers();
        try (Socket stalled = new Socket(); SseTestClient healthy = new SseTestClient(streamUrl)) {
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new InetSocketAddress(RestAssured.baseURI.replace("http://", ""), RestAssured.port));
            OutputStream out = stalled.getOutputStream();
            out.write("GET /metrics/stream?view=dashboard HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscribers() == 2);

            await().atMost(Duration.ofSeconds(90)).until(() -> hub.stalledSubscribers() > stalledBefore);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscribers() == 1);
            assertThat(hub.stalledSubscribers()).as("the client that reads is kept").isEqualTo(stalledBefore + 1);
            int seen = healthy.events().size();
            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.events().size() >= seen + 3);

            // What the socket had received is still there to read; then the stream ends.
            stalled.setSoTimeout(30_000);
            InputStream in = stalled.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            boolean ended = false;
            try {
                while (!ended) {
                    ended = in.read(buffer) < 0;
                }
            } catch (SocketException reset) {
                ended = true; // closed with data unread: a reset
            }
            assertThat(ended).isTrue();
        }
    }
}

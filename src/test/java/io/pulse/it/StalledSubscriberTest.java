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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.alert.Alert;
import io.pulse.alert.AlertHub;
import io.pulse.alert.Severity;
import io.pulse.api.metrics.SnapshotHub;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A /metrics/stream or /alerts/stream client that stops reading, or vanished without closing (a laptop lid, a dropped
 * network), held its place until TCP gave up, ~15 minutes. Once it has taken no snapshot for pulse.metrics.stalled-after
 * (3 s in tests), or no alert or heartbeat for pulse.alert.stream-stalled-after (3 s), its connection is closed and its
 * place freed; a client that reads is not touched.
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

    @Inject
    AlertHub alerts;

    @TestHTTPResource("/metrics/stream?view=dashboard")
    String streamUrl;

    @TestHTTPResource("/alerts/stream")
    String alertsUrl;

    @Test
    void shouldCloseTheConnectionOfASubscriberThatStoppedReading() throws Exception {
        long stalledBefore = hub.stalledSubscribers();
        try (Socket stalled = rawStream("/metrics/stream?view=dashboard"); SseTestClient healthy = new SseTestClient(streamUrl)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscribers() == 2);

            await().atMost(Duration.ofSeconds(90)).until(() -> hub.stalledSubscribers() > stalledBefore);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscribers() == 1);
            assertThat(hub.stalledSubscribers()).as("the client that reads is kept").isEqualTo(stalledBefore + 1);
            int seen = healthy.events().size();
            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.events().size() >= seen + 3);

            assertEndsAfterWhatItReceived(stalled);
        }
    }

    /**
     * The alert stream alike. Its heartbeats (every second here) show a stream that takes nothing: alerts enough to fill
     * the kernels' buffers stall its writes, and heartbeats found waiting for 3 s let it go. A client that reads,
     * however slowly, is kept (it takes alerts, not the heartbeats waiting behind them), and gets every alert.
     */
    @Test
    void shouldCloseTheAlertStreamOfASubscriberThatStoppedReadingAndKeepOneThatReadsSlowly() throws Exception {
        long stalledBefore = alerts.stalledSubscribers();
        int before = alerts.subscribers();
        String wiki = "stalledwiki" + System.nanoTime() % 1_000_000;
        int published = 200; // below the stream buffer (256): none dropped for the clients that read
        ExecutorService reading = Executors.newSingleThreadExecutor();
        try (Socket stalled = rawStream("/alerts/stream"); Socket slow = rawStream("/alerts/stream");
                SseTestClient healthy = new SseTestClient(alertsUrl)) {
            StringBuffer slowlyRead = new StringBuffer();
            reading.submit(() -> readSlowly(slow, slowlyRead));
            await().atMost(Duration.ofSeconds(10)).until(() -> alerts.subscribers() == before + 3);

            String summary = "x".repeat(1000);
            Instant now = Instant.now();
            for (int i = 0; i < published; i++) {
                alerts.publish(new Alert("stalled-" + wiki + "-" + i, "watched-user", Severity.INFO, wiki + ":" + i, wiki,
                        "Page " + i, "Tester", now.truncatedTo(ChronoUnit.MINUTES), now, summary, Map.of(), null, null));
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> alerts.stalledSubscribers() > stalledBefore);
            await().atMost(Duration.ofSeconds(10)).until(() -> alerts.subscribers() == before + 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> healthy.events().stream()
                    .filter(e -> "alert".equals(e.name()) && wiki.equals(e.data().path("wiki").asText())).count() == published);
            // 20 KB/s: ten seconds and more for the 200 alerts, past the three heartbeats that would let it go.
            await().atMost(Duration.ofSeconds(90)).until(() -> Pattern.compile("\"id\":\"stalled-" + wiki + "-\\d+\"")
                    .matcher(slowlyRead).results().count() == published);
            assertThat(alerts.stalledSubscribers()).as("the clients that read are kept").isEqualTo(stalledBefore + 1);
            assertThat(alerts.subscribers()).isEqualTo(before + 2);
            int seen = healthy.events().size();
            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.events().size() >= seen + 3); // heartbeats go on

            assertEndsAfterWhatItReceived(stalled);
        } finally {
            reading.shutdownNow();
        }
    }

    /** A stream requested over a socket with a small receive buffer, read only by the test (if at all). */
    private static Socket rawStream(String path) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024);
        socket.connect(new InetSocketAddress(RestAssured.baseURI.replace("http://", ""), RestAssured.port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** A client on a slow link: 1 KB every 50 ms, until the socket closes. */
    private static Void readSlowly(Socket socket, StringBuffer read) throws Exception {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            Thread.sleep(50); // the pace of the link, not a wait for something
        }
        return null;
    }

    /** What the socket had received is still there to read; then the stream ends. */
    private static void assertEndsAfterWhatItReceived(Socket stalled) throws Exception {
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

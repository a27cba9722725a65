package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;

class ResilientSseStreamTest {

    private static final URI URL = URI.create("http://localhost/stream");
    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(10);

    // ---------------------------------------------------------------- nextDelay

    @Test
    void shouldReconnectAtOnceAfterTheFirstRoutineInterruption() {
        ResilientSseStream stream = stream(0.0);

        assertEquals(Duration.ZERO, stream.nextDelay(new StreamInterruptedException("server closed the stream")));
    }

    @Test
    void shouldBackOffWhenInterruptionsRepeat() {
        ResilientSseStream stream = stream(0.0);

        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            delays.add(stream.nextDelay(new StreamInterruptedException("no data for 60s")).toMillis());
        }

        assertEquals(List.of(0L, 200L, 400L), delays);
    }

    @Test
    void shouldBackOffExponentiallyUpToTheMaximum() {
        ResilientSseStream stream = stream(0.0);

        for (int attempt = 0; attempt < 30; attempt++) {
            long expected = Math.min(MAX.toMillis(), INITIAL.toMillis() * (long) Math.pow(2, attempt));
            assertEquals(expected, stream.nextDelay(new IOException("connection refused")).toMillis(),
                    "attempt " + attempt);
        }
    }

    @Test
    void shouldNotReconnectAtOnceWhenTheFirstFailureIsAnError() {
        ResilientSseStream stream = stream(0.0);

        assertEquals(INITIAL, stream.nextDelay(new SseHttpException(503, null, "unavailable")));
    }

    @Test
    void shouldKeepTheJitterWithinItsBounds() {
        double jitter = 0.25;
        Set<Long> seen = new HashSet<>();
        for (int run = 0; run < 50; run++) {
            ResilientSseStream stream = stream(jitter);
            for (int attempt = 0; attempt < 10; attempt++) {
                long centre = Math.min(MAX.toMillis(), INITIAL.toMillis() << attempt);
                long delay = stream.nextDelay(new IOException("reset")).toMillis();
                assertTrue(delay >= Math.round(centre * (1 - jitter)) && delay <= Math.round(centre * (1 + jitter)),
                        "attempt " + attempt + ": " + delay + " ms around " + centre);
                if (attempt == 9) {
                    seen.add(delay);
                }
            }
        }
        assertTrue(seen.size() > 1, "the delays are spread, not all equal: " + seen);
    }

    @Test
    void shouldNeverRetrySoonerThanRetryAfter() {
        ResilientSseStream stream = stream(0.5);
        Duration retryAfter = Duration.ofMinutes(5);

        for (int attempt = 0; attempt < 5; attempt++) {
            Duration delay = stream.nextDelay(new SseHttpException(429, retryAfter, "slow down"));
            assertEquals(retryAfter, delay, "the backoff (at most 15 s here) is shorter than Retry-After");
        }
    }

    @Test
    void shouldRetryAfterAnHourAtMostWhateverRetryAfterSays() {
        ResilientSseStream stream = stream(0.5);

        // Duration.toMillis() of this overflowed: the failure ended the retries, and the ingest, for good.
        Duration delay = stream.nextDelay(new SseHttpException(429, Duration.ofSeconds(Long.MAX_VALUE / 2), "slow down"));

        assertEquals(Duration.ofHours(1), delay);
    }

    @Test
    void shouldKeepTheBackoffWhenRetryAfterIsShorter() {
        ResilientSseStream stream = stream(0.0);

        assertEquals(INITIAL, stream.nextDelay(new SseHttpException(503, Duration.ofMillis(1), null)));
    }

    @Test
    void shouldHonourTheServerRetryAfterARoutineInterruption() {
        ResilientSseStream stream = afterServerRetry(2500, 0.0);

        assertEquals(Duration.ofMillis(2500), stream.nextDelay(new StreamInterruptedException("closed")));
        assertEquals(Duration.ofMillis(5000), stream.nextDelay(new IOException("refused")),
                "the server retry is also the base of the backoff");
    }

    @Test
    void shouldNeverReconnectSoonerThanTheServerRetryWhateverTheJitterOrTheCap() {
        ResilientSseStream stream = afterServerRetry(5000, 0.3);
        for (int i = 0; i < 50; i++) { // 5 s × (0.7 to 1.3), then doubled and capped at MAX (10 s)
            assertTrue(stream.nextDelay(new IOException("reset")).toMillis() >= 5000, "attempt " + i);
        }
        assertEquals(Duration.ofSeconds(30), afterServerRetry(30_000, 0.3).nextDelay(new IOException("reset")));
        assertEquals(Duration.ofMinutes(5), afterServerRetry(86_400_000, 0.3).nextDelay(new IOException("reset")),
                "a day's retry: 5 minutes");
    }

    /** A stream that has read one connection, whose server asked for {@code retryMs} between reconnects. */
    private static ResilientSseStream afterServerRetry(long retryMs, double jitter) {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(retryOnly(retryMs), event("1", "a"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(jitter));
        stream.events(null).collect().asList().await().atMost(Duration.ofSeconds(30));
        return stream;
    }

    @Test
    void shouldResetTheBackoffOnceAnEventArrives() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("1", "a"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));
        stream.nextDelay(new IOException("refused"));
        stream.nextDelay(new IOException("refused"));

        stream.events(null).collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(Duration.ZERO, stream.nextDelay(new StreamInterruptedException("closed")));
    }

    /**
     * A resume by timestamp starts with the event it resumed after. A session that delivers only that one
     * again and closes is failing, not healthy: it reset the back-off, and the stream came back at once, forever.
     */
    @Test
    void shouldKeepBackingOffWhenASessionOnlyResendsTheEventItResumedAfter() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("5", "a"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));
        stream.nextDelay(new IOException("refused"));
        stream.nextDelay(new IOException("refused"));

        stream.events("5").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(INITIAL.multipliedBy(4), stream.nextDelay(new StreamInterruptedException("closed")));
    }

    @Test
    void shouldResetTheBackoffOnceAnEventAfterTheResumedOneArrives() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("5", "a")), List.of(event("6", "b"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));
        stream.nextDelay(new IOException("refused"));

        stream.events("5").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(Duration.ZERO, stream.nextDelay(new StreamInterruptedException("closed")));
    }

    /**
     * Wikimedia's EventStreams reports a failure to read its own Kafka as an {@code error} event, then
     * closes: reconnecting at once to it made 326 connections in 5 s. The close after an error event is a
     * failure even after a healthy session, and neither it nor a retry-only block resets the back-off.
     */
    @Test
    void shouldKeepBackingOffWhenTheServerSendsAnErrorEventOrARetryOnlyBlockAndCloses() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("6", "a")),
                List.of(new SseEvent("7", "error", "{\"message\":\"consume failed\"}", -1, false, false, 30)),
                List.of(retryOnly(0))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));

        assertEquals(2, stream.events(null).collect().asList().await().atMost(Duration.ofSeconds(30)).size(),
                "the message, and the error event (the ingest counts it as an other event)");

        assertEquals(INITIAL.multipliedBy(2), stream.nextDelay(new StreamInterruptedException("closed")),
                "a failure, not a routine close");
    }

    /** A block with no data is no event, whatever its event field says: an id-only "error" block is not a failure. */
    @Test
    void shouldTakeOnlyTheIdOfABlockWithoutDataThatNamesItselfAnError() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("6", "a")),
                List.of(new SseEvent("7", "error", null, -1, false, false, 0))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));

        stream.events(null).collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals("7", stream.lastEventId());
        assertEquals(Duration.ZERO, stream.nextDelay(new StreamInterruptedException("closed")), "a routine close");
    }

    // ---------------------------------------------------------------- reconnecting

    @Test
    void shouldResumeAfterTheLastEventIdWhenTheServerClosesTheStream() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createBy().concatenating().streams(
                Multi.createFrom().items(List.of(event("1", "a"), event("2", "b"))),
                Multi.createFrom().failure(new StreamInterruptedException("server closed the stream"))));
        connector.connections.add(() -> Multi.createFrom().items(List.of(retryOnly(10)),
                List.of(retryOnly(10), event("3", "c")), List.of(event("4", "d"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));

        List<List<SseEvent>> reads = stream.events("0").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(List.of(List.of("a", "b"), List.of("c"), List.of("d")),
                reads.stream().map(read -> read.stream().map(SseEvent::data).toList()).toList(),
                "retry-only blocks are not passed on, nor a read of nothing else");
        assertEquals(List.of("0", "2"), connector.lastEventIds);
        assertEquals("4", stream.lastEventId());
        assertEquals(1, stream.reconnects());
    }

    /** An id-only block moves the id the next connection resumes after (WHATWG), and is not passed on. */
    @Test
    void shouldResumeAfterAnIdOnlyBlock() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createBy().concatenating().streams(
                Multi.createFrom().items(List.of(event("1", "a"), new SseEvent("7", null, null, -1, false, false, 0))),
                Multi.createFrom().failure(new StreamInterruptedException("server closed the stream"))));
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("8", "b"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, settings(0.0));

        List<List<SseEvent>> reads = stream.events("0").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(List.of(List.of("a"), List.of("b")),
                reads.stream().map(read -> read.stream().map(SseEvent::data).toList()).toList());
        assertEquals(List.of("0", "7"), connector.lastEventIds);
    }

    @Test
    void shouldReconnectAfterAnErrorOnceTheBackoffHasPassed() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().failure(new SseHttpException(503, null, "unavailable")));
        connector.connections.add(() -> Multi.createFrom().failure(new IOException("connection reset")));
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("1", "a"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, quick());

        List<List<SseEvent>> reads = stream.events(null).collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(List.of(List.of("a")), reads.stream().map(read -> read.stream().map(SseEvent::data).toList()).toList());
        assertEquals(3, connector.lastEventIds.size());
        assertEquals(2, stream.reconnects());
    }

    /**
     * A Last-Event-ID the server refuses for good (404: topics it no longer serves) was sent again after
     * every back-off, forever. Now the stream resumes where the source says, without the id, until an
     * event brings a new one; a refusal unrelated to the id (503) changes nothing.
     */
    @Test
    void shouldResumeWithoutAnIdTheServerRefusesForGoodUntilANewOneArrives() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().failure(new SseHttpException(503, null, "busy")));
        connector.connections.add(() -> Multi.createFrom().failure(new SseHttpException(404, null, "no such topic")));
        connector.connections.add(() -> Multi.createBy().concatenating().streams(
                Multi.createFrom().items(List.of(event("new-1", "a"))),
                Multi.createFrom().failure(new StreamInterruptedException("server closed the stream"))));
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("new-2", "b"))));
        URI byTime = URI.create(URL + "?since=1700000000000");
        ResilientSseStream stream = new ResilientSseStream(connector, URL, quick(),
                (url, refused) -> "old-id".equals(refused) ? byTime : null);

        List<List<SseEvent>> reads = stream.events("old-id").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(List.of(List.of("a"), List.of("b")),
                reads.stream().map(read -> read.stream().map(SseEvent::data).toList()).toList());
        assertEquals(Arrays.asList("old-id", "old-id", null, "new-1"), connector.lastEventIds);
        assertEquals(List.of(URL, URL, byTime, URL), connector.urls);
    }

    /**
     * A saved position the HTTP client cannot send (a control character, taken by an earlier decoder) failed
     * every connection before it reached the server, restarts included. It is resumed from as a refused one is.
     */
    @Test
    void shouldResumeWithoutAnIdTheClientCannotSend() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createBy().concatenating().streams(
                Multi.createFrom().items(List.of(event("new-1", "a"))),
                Multi.createFrom().failure(new StreamInterruptedException("server closed the stream"))));
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("new-2", "b"))));
        URI byTime = URI.create(URL + "?since=1700000000000");
        String unsendable = "[\"a\u0001b\"]";
        ResilientSseStream stream = new ResilientSseStream(connector, URL, quick(),
                (url, refused) -> unsendable.equals(refused) ? byTime : null);

        List<List<SseEvent>> reads = stream.events(unsendable).collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(List.of(List.of("a"), List.of("b")),
                reads.stream().map(read -> read.stream().map(SseEvent::data).toList()).toList());
        assertEquals(Arrays.asList(null, "new-1"), connector.lastEventIds);
        assertEquals(List.of(byTime, URL), connector.urls);
    }

    /** A stream that knows no other place to resume from resumes from now, rather than not at all. */
    @Test
    void shouldResumeFromNowWithAnIdTheClientCannotSendAndNoOtherPlace() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("new-1", "a"))));
        ResilientSseStream stream = new ResilientSseStream(connector, URL, quick());

        List<List<SseEvent>> reads = stream.events("x".repeat(SseDecoder.MAX_ID_CHARS + 1)).collect().asList()
                .await().atMost(Duration.ofSeconds(30));

        assertEquals(1, reads.size());
        assertEquals(Arrays.asList((String) null), connector.lastEventIds);
        assertEquals(List.of(URL), connector.urls);
    }

    /** 431: the id too long for the server's header limit, refused for good as a 404 is. */
    @Test
    void shouldResumeWithoutAnIdTooLongForTheServer() {
        FakeConnector connector = new FakeConnector();
        connector.connections.add(() -> Multi.createFrom().failure(new SseHttpException(431, null, "header too large")));
        connector.connections.add(() -> Multi.createFrom().items(List.of(event("new-1", "a"))));
        URI byTime = URI.create(URL + "?since=1700000000000");
        ResilientSseStream stream = new ResilientSseStream(connector, URL, quick(), (url, refused) -> byTime);

        stream.events("long-id").collect().asList().await().atMost(Duration.ofSeconds(30));

        assertEquals(Arrays.asList("long-id", null), connector.lastEventIds);
        assertEquals(List.of(URL, byTime), connector.urls);
    }

    private static SseSettings quick() {
        return new SseSettings("pulse-test", Duration.ofSeconds(1), Duration.ofSeconds(60), 1 << 20,
                Duration.ofMillis(1), Duration.ofMillis(2), 0.0);
    }

    // ---------------------------------------------------------------- helpers

    private static ResilientSseStream stream(double jitter) {
        return new ResilientSseStream(null, URL, settings(jitter));
    }

    private static SseSettings settings(double jitter) {
        return new SseSettings("pulse-test", Duration.ofSeconds(1), Duration.ofSeconds(60), 1 << 20, INITIAL, MAX,
                jitter);
    }

    private static SseEvent event(String id, String data) {
        return new SseEvent(id, "message", data, -1, false, false, data.length());
    }

    private static SseEvent retryOnly(long retryMs) {
        return new SseEvent(null, null, null, retryMs, false, false, 0);
    }

    /** Plays scripted connections in order and records the Last-Event-ID each one was opened with. */
    private static final class FakeConnector extends SseConnector {
        final Deque<Supplier<Multi<List<SseEvent>>>> connections = new ArrayDeque<>();
        final List<String> lastEventIds = new ArrayList<>();
        final List<URI> urls = new ArrayList<>();

        FakeConnector() {
            super(null, null);
        }

        @Override
        public Multi<List<SseEvent>> open(URI url, String lastEventId) {
            lastEventIds.add(lastEventId);
            urls.add(url);
            Supplier<Multi<List<SseEvent>>> next = connections.poll();
            return next == null ? Multi.createFrom().failure(new IllegalStateException("no more connections"))
                    : next.get();
        }
    }
}

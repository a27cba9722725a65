package io.pulse.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A stand-in for Wikimedia EventStreams on localhost. Like the real service it sends one
 * {@code id:} per event holding a millisecond timestamp, and resumes a {@code Last-Event-ID} at the
 * first event with that timestamp or later: a resume therefore re-delivers events, which the
 * client must drop. Events appended while clients are connected are pushed live. Faults are
 * scripted per connection: drop after N events, answer an HTTP error with Retry-After, stall
 * without closing, cut a line in the middle, or send raw bytes.
 */
public final class TestSseServer implements AutoCloseable {

    private static final int WRITE_CHUNK_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event as served: raw data bytes and the timestamp its id carries. */
    record Served(byte[] data, long timestampMs) {
    }

    /** What one connection asked for. */
    public record Connection(String lastEventId, String userAgent, int status) {
    }

    private final Vertx vertx = Vertx.vertx();
    // Append-only, so indices never move: each get/size is atomic without copying. A copy-on-write
    // list copied every event served so far on each append (O(n²)): at 10,000 events/s the load
    // generator spent half a core on it and the benchmark measured the harness.
    private final List<Served> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final List<HttpServerRequest> open = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** A scripted behaviour applied to the next connection(s). */
    public sealed interface Fault {
        /** Close the connection after this many events (counted per connection). */
        record DropAfter(int events) implements Fault {
        }

        /** Answer with this status and Retry-After (seconds), without streaming. */
        record HttpError(int status, int retryAfterSeconds) implements Fault {
        }

        /** Stop sending after this many events but keep the connection open. */
        record StallAfter(int events) implements Fault {
        }

        /** After this many events, send half of the next event's data line, then close. */
        record CutLineAfter(int events) implements Fault {
        }

        /** Take the request and never answer it (no status line): a proxy or a path that went dark. */
        record NoAnswer() implements Fault {
        }

        /** Answer with this status and start a body that never ends: a proxy that stalls its error page. */
        record StalledErrorBody(int status) implements Fault {
        }
    }

    public TestSseServer start() {
        server = vertx.createHttpServer().requestHandler(this::handle);
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("SSE test server did not start", e);
        }
        return this;
    }

    /** Where the ingest keeps this feed's resume position ({@code WikimediaIngest.checkpointKey} of {@link #url()}). */
    public static final String CHECKPOINT = "wikimedia:/v2/stream/recentchange";

    public String url() {
        return url("recentchange");
    }

    /**
     * The same events under another stream name: a feed of its own to the ingest, which keeps a resume position per
     * stream path ({@code WikimediaIngest.checkpointKey}). Feeds that share a path share the position: a feed resumed
     * after another's last timestamp skips its own earlier events, as EventStreams would.
     */
    public String url(String stream) {
        return "http://127.0.0.1:" + server.actualPort() + "/v2/stream/" + stream;
    }

    /** Appends raw JSON events; their ids carry the event's {@code timestamp} (seconds) in milliseconds. */
    public void append(List<String> jsonEvents) {
        events.addAll(encode(jsonEvents, lastTimestampMs()));
    }

    /** Events encoded ahead of time, for {@link #append(Prepared, int, int)}. */
    public static final class Prepared {
        private final List<Served> events;

        private Prepared(List<Served> events) {
            this.events = events;
        }
    }

    /**
     * Encodes events now, to append them later without allocating: a load generator that encoded each
     * event as it went kept ~10 MB/s of new, never-freed bytes at 10,000 events/s, which its collector
     * copied in young pauses of 0.3-0.7 s that stalled the broker beside it (bench/README.md, 29).
     */
    public static Prepared prepare(List<String> jsonEvents) {
        return new Prepared(encode(jsonEvents, -1));
    }

    /** Appends events {@code from} (inclusive) to {@code to} (exclusive) of the prepared ones. */
    public void append(Prepared prepared, int from, int to) {
        events.addAll(prepared.events.subList(from, to));
    }

    private static List<Served> encode(List<String> jsonEvents, long previousTimestampMs) {
        List<Served> batch = new ArrayList<>(jsonEvents.size());
        long previous = previousTimestampMs;
        for (String json : jsonEvents) {
            long ts = timestampMs(json);
            if (ts == 0 && previous >= 0) {
                ts = previous; // unreadable events sit where they arrive
            }
            batch.add(new Served(json.getBytes(StandardCharsets.UTF_8), ts));
            previous = ts;
        }
        return batch;
    }

    /** Appends data bytes verbatim (e.g. invalid UTF-8), stamped with the previous event's time. */
    public void appendRaw(byte[] data) {
        events.add(new Served(data, Math.max(0, lastTimestampMs())));
    }

    /** -1 when nothing was appended yet. */
    private long lastTimestampMs() {
        synchronized (events) {
            return events.isEmpty() ? -1 : events.get(events.size() - 1).timestampMs();
        }
    }

    /** Scripts the next connections, one fault per connection, in order. */
    public void inject(Fault... scripted) {
        faults.addAll(List.of(scripted));
    }

    /** Closes every open connection, so that the clients reconnect and meet the scripted faults. */
    public void disconnectAll() {
        open.forEach(request -> request.connection().close());
    }

    public List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    public int eventsSent() {
        return sent.get();
    }

    public int size() {
        return events.size();
    }

    private void handle(HttpServerRequest request) {
        String lastEventId = request.getHeader("Last-Event-ID");
        Fault fault = faults.isEmpty() ? null : faults.remove(0);
        HttpServerResponse response = request.response();
        if (fault instanceof Fault.HttpError error) {
            connections.add(new Connection(lastEventId, request.getHeader("User-Agent"), error.status()));
            response.setStatusCode(error.status()).putHeader("Retry-After", Integer.toString(error.retryAfterSeconds()))
                    .end("slow down");
            return;
        }
        if (fault instanceof Fault.StalledErrorBody error) {
            connections.add(new Connection(lastEventId, request.getHeader("User-Agent"), error.status()));
            response.setStatusCode(error.status()).setChunked(true).write("<html><body>Service unavailable");
            return;
        }
        if (fault instanceof Fault.NoAnswer) {
            connections.add(new Connection(lastEventId, request.getHeader("User-Agent"), 0));
            return;
        }
        connections.add(new Connection(lastEventId, request.getHeader("User-Agent"), 200));
        response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.write(":ok\n\n");
        int[] cursor = { resumeIndex(lastEventId) };
        int[] sentHere = { 0 };
        long[] lastWrite = { System.nanoTime() };
        long timer = vertx.setPeriodic(5, id -> {
            if (response.closed()) {
                vertx.cancelTimer(id);
                return;
            }
            if (fault instanceof Fault.StallAfter stall && sentHere[0] >= stall.events()) {
                return; // silent, but the connection stays open
            }
            // Events go out in writes of up to 64 KB, as a busy feed's chunks do: one write per event
            // cost this server (and the client reading it) a system call each, and capped the benchmark.
            Buffer chunk = Buffer.buffer();
            while (cursor[0] < events.size() && !response.writeQueueFull()) {
                if (fault instanceof Fault.StallAfter stall && sentHere[0] >= stall.events()) {
                    break; // mid-write too: the events after the stall point stay unsent on this connection
                }
                if (fault instanceof Fault.DropAfter drop && sentHere[0] >= drop.events()) {
                    vertx.cancelTimer(id);
                    flush(response, chunk);
                    request.connection().close();
                    return;
                }
                Served e = events.get(cursor[0]);
                if (fault instanceof Fault.CutLineAfter cut && sentHere[0] >= cut.events()) {
                    vertx.cancelTimer(id);
                    byte[] half = new byte[e.data().length / 2];
                    System.arraycopy(e.data(), 0, half, 0, half.length);
                    flush(response, chunk.appendString("event: message\nid: " + idFor(e.timestampMs()) + "\ndata: ")
                            .appendBytes(half));
                    vertx.setTimer(20, t -> request.connection().close());
                    return;
                }
                chunk.appendString("event: message\nid: " + idFor(e.timestampMs()) + "\ndata: ")
                        .appendBytes(e.data()).appendString("\n\n");
                cursor[0]++;
                sentHere[0]++;
                sent.incrementAndGet();
                lastWrite[0] = System.nanoTime();
                if (chunk.length() >= WRITE_CHUNK_BYTES) {
                    chunk = flush(response, chunk);
                }
            }
            flush(response, chunk);
            if (System.nanoTime() - lastWrite[0] > TimeUnit.SECONDS.toNanos(2)) {
                response.write(":\n\n"); // heartbeat while idle, as a busy live feed never is silent
                lastWrite[0] = System.nanoTime();
            }
        });
        open.add(request);
        response.closeHandler(v -> {
            vertx.cancelTimer(timer);
            open.remove(request);
        });
    }

    private static Buffer flush(HttpServerResponse response, Buffer chunk) {
        if (chunk.length() > 0) {
            response.write(chunk);
            return Buffer.buffer();
        }
        return chunk;
    }

    /** EventStreams semantics: the first event whose timestamp is at or after the id's timestamp. */
    private int resumeIndex(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        long ts;
        try {
            ts = JSON.readTree(lastEventId).get(0).get("timestamp").asLong();
        } catch (Exception e) {
            return 0;
        }
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).timestampMs() >= ts) {
                return i;
            }
        }
        return events.size();
    }

    static String idFor(long timestampMs) {
        return "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":" + timestampMs
                + "},{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":0,\"offset\":-1}]";
    }

    private static long timestampMs(String json) {
        try {
            JsonNode ts = JSON.readTree(json).get("timestamp");
            return ts != null && ts.canConvertToLong() ? ts.asLong() * 1000 : 0;
        } catch (Exception notJson) {
            return 0;
        }
    }

    @Override
    public void close() {
        vertx.close();
    }
}

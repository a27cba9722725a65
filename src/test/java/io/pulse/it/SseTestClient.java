package io.pulse.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real SSE client for tests, independent of Pulse's own decoder: the JDK HTTP client reading
 * {@code text/event-stream} lines, collecting each event's name, id and JSON data.
 */
public final class SseTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param receivedAt when its closing blank line was read (epoch milliseconds) */
    public record Event(String name, String id, JsonNode data, long receivedAt) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile int status;
    private volatile String contentType;
    private volatile boolean ended;
    private volatile boolean endedCleanly;

    public SseTestClient(String url) {
        this(url, Map.of());
    }

    /** With request headers, such as the {@code Last-Event-ID} a reconnecting EventSource sends. */
    public SseTestClient(String url, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        response = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            status = r.statusCode();
            contentType = r.headers().firstValue("Content-Type").orElse("");
            read(r.body());
        });
    }

    private void read(Stream<String> lines) {
        String[] name = { null };
        String[] id = { null };
        List<String> data = new ArrayList<>();
        try {
            lines.forEach(line -> {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name[0], id[0], parse(String.join("\n", data)), System.currentTimeMillis()));
                    }
                    name[0] = null;
                    data.clear();
                } else if (line.startsWith("event:")) {
                    name[0] = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id[0] = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
                }
            });
            endedCleanly = true;
        } catch (RuntimeException closed) {
            // the test closed the stream, or the server reset it
        } finally {
            ended = true;
        }
    }

    private static JsonNode parse(String data) {
        try {
            return JSON.readTree(data);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(data);
        }
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public Event last() {
        List<Event> all = events();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Whether the response ended: finished or reset by the server (or closed by the test). */
    public boolean ended() {
        return ended;
    }

    /** Whether the response ended as a response does, not reset (nor closed by the test). */
    public boolean endedCleanly() {
        return endedCleanly;
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}

package io.pulse.ingest;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;

/**
 * Opens one SSE connection and exposes it as a {@code Multi} of decoded events, one list per read
 * (the events a received chunk completed), so that the caller can handle a burst at once. Reads are
 * backpressured: when downstream stops requesting, the response is paused and TCP pushes back on
 * the server. One call, one connection; reconnecting is {@link ResilientSseStream}'s job.
 */
public class SseConnector {

    static final int ERROR_BODY_BYTES = 4096;

    private final HttpClient http;
    private final SseSettings settings;

    public SseConnector(HttpClient http, SseSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    public Multi<List<SseEvent>> open(URI url, String lastEventId) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.toString())
                .setFollowRedirects(true)
                .setConnectTimeout(settings.connectTimeout().toMillis())
                .putHeader("Accept", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("User-Agent", settings.userAgent());
        if (lastEventId != null && !lastEventId.isEmpty()) {
            options.putHeader("Last-Event-ID", lastEventId);
        }
        return http.request(options)
                // A server that takes the request and never answers would hold the ingest for good: the
                // idle timeout covers the wait for the status line too.
                .onItem().transformToUni(request -> request.send()
                        .ifNoItem().after(settings.idleTimeout()).failWith(() -> {
                            request.connection().closeAndForget();
                            return new StreamInterruptedException("no answer for " + settings.idleTimeout());
                        }))
                .onItem().transformToMulti(this::events);
    }

    private Multi<List<SseEvent>> events(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            return errorBody(response)
                    .onItem().transformToMulti(body -> Multi.createFrom().failure(new SseHttpException(
                            response.statusCode(), retryAfter(response.getHeader("Retry-After")), body)));
        }
        SseDecoder decoder = new SseDecoder(settings.maxEventBytes());
        // An empty read first says the stream is open: a quiet feed (a recording played to its end) may
        // send nothing but comments for a long time, and is still connected.
        return Multi.createBy().merging().streams(Multi.createFrom().item(List.<SseEvent>of()), body(response, decoder));
    }

    private Multi<List<SseEvent>> body(HttpClientResponse response, SseDecoder decoder) {
        return response.toMulti()
                // Cancelling the response's stream leaves its connection open: abandoned (gone idle, failed
                // downstream, stopped on leadership loss), it stayed in the client's pool of two, reading a
                // feed nobody wanted, until the server closed it (never, for a stalled one); after two stalls
                // no reconnect could get a connection. Closed when cancelled, whatever the cause.
                .onCancellation().invoke(() -> response.request().connection().closeAndForget())
                // A feed that stays open but sends nothing when asked is dead: fail so the client reconnects.
                .plug(reads -> IdleWatch.failWhenIdle(reads, settings.idleTimeout(),
                        () -> new StreamInterruptedException("no data for " + settings.idleTimeout())))
                .onItem().transform(buffer -> decoder.feed(buffer.getBytes()))
                .select().where(events -> !events.isEmpty())
                .onCompletion().failWith(() -> new StreamInterruptedException("server closed the stream"));
    }

    /**
     * The start of an error answer's body, for the log: what arrives of its first {@value #ERROR_BODY_BYTES}
     * bytes within the idle timeout. A proxy that stalls its error page held the ingest for good (no
     * reconnect ever came), and one that sent megabytes had them buffered whole. The connection is closed:
     * the rest of the body is not worth reading.
     */
    private Uni<String> errorBody(HttpClientResponse response) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        return response.toMulti()
                .onItem().invoke(buffer -> bytes.writeBytes(buffer.getBytes()))
                .select().first(buffer -> bytes.size() < ERROR_BODY_BYTES)
                .collect().last()
                .ifNoItem().after(settings.idleTimeout()).recoverWithItem(() -> null)
                .onFailure().recoverWithNull()
                .map(ignored -> bytes.size() == 0 ? null
                        : abbreviate(new String(bytes.toByteArray(), StandardCharsets.UTF_8)))
                .eventually(() -> response.request().connection().closeAndForget());
    }

    /**
     * The longest {@code Retry-After} obeyed: a server asking for longer is asked again after this. Taken as
     * it was, a value of 10^17 seconds overflowed the delay and ended the stream for good (the ingest stopped,
     * its replica still the leader), and a week's silenced the feed for a week.
     */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** {@code Retry-After} is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); at most {@link #MAX_RETRY_AFTER}. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.min(Math.max(0, Long.parseLong(header.trim())), MAX_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** The first 200 characters, for a log line. */
    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}

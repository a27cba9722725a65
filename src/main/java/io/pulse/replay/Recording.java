package io.pulse.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** A recorded feed: one raw JSON event per line, loaded once. */
public final class Recording {

    private final List<String> events;

    private Recording(List<String> events) {
        this.events = events;
    }

    public static Recording fromClasspath(String resource) {
        try (InputStream raw = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalArgumentException("No recording on the classpath at " + resource);
            }
            InputStream in = resource.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                return new Recording(reader.lines().filter(line -> !line.isBlank()).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> events() {
        return events;
    }

    /**
     * SSE id of the event at {@code offset}, in EventStreams' offset form. Offsets make resuming a
     * replay exact; the live service sends timestamps instead, which the client treats the same way.
     */
    public static String eventId(long offset) {
        return "[{\"topic\":\"pulse.replay\",\"partition\":0,\"offset\":" + offset + "}]";
    }

    /** The offset to resume from after {@code lastEventId}, or 0 when absent or unreadable. */
    public static long resumeOffset(String lastEventId) {
        if (lastEventId == null) {
            return 0;
        }
        int at = lastEventId.indexOf("\"offset\":");
        if (at < 0) {
            return 0;
        }
        int start = at + "\"offset\":".length();
        int end = start;
        while (end < lastEventId.length() && Character.isDigit(lastEventId.charAt(end))) {
            end++;
        }
        try {
            long offset = Long.parseLong(lastEventId.substring(start, end));
            // The last possible offset is past any recording's end: nothing left, not an overflow.
            return offset == Long.MAX_VALUE ? offset : offset + 1;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

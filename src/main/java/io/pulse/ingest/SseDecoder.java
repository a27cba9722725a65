package io.pulse.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Incremental decoder of the {@code text/event-stream} format (WHATWG HTML, "server-sent events").
 * Feed it byte chunks as they arrive; it returns the events completed by each chunk.
 * Unlike a strict parser it never throws on bad input: invalid UTF-8 and oversized events are
 * flagged on the event so the caller can dead-letter them and carry on, and memory stays bounded
 * by {@code maxEventBytes} however long a line is. A partial event at end of stream is never
 * dispatched, as the spec requires; the client resumes from the last complete event's id.
 * One instance per connection; not thread-safe.
 */
public final class SseDecoder {

    private final int maxEventBytes;
    private byte[] line = new byte[1024];
    private int lineLength;
    private boolean lineOverflow;
    private long lineDropped;
    private boolean lastWasCr;

    private byte[] data = new byte[1024];
    private int dataLength;
    private long dataTotal;
    private boolean hasData;
    private boolean dataOverflow;
    private String eventName;
    private long retryMs = -1;
    private String idBuffer;
    private String lastEventId;
    /** Bytes of a leading byte order mark seen so far; -1 once the stream has begun. */
    private int bomMatched;
    private static final byte[] BOM = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };

    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    public List<SseEvent> feed(byte[] chunk) {
        List<SseEvent> out = new ArrayList<>(4);
        int from = bomMatched >= 0 ? afterBom(chunk) : 0; // the stream's first bytes only, not per byte
        for (int at = from; at < chunk.length; at++) {
            byte b = chunk[at];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false; // second half of CRLF
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endOfLine(out);
            } else if (lineLength < maxEventBytes + 16) {
                appendToLine(b);
            } else {
                lineOverflow = true;
                lineDropped++;
            }
        }
        return out;
    }

    /**
     * A UTF-8 byte order mark opening the stream is not part of it (the SSE specification): it made the
     * first line an unknown field, and the first event was lost unseen. Answers where the chunk's stream
     * begins; bytes that turn out not to be a mark are put back on the line.
     */
    private int afterBom(byte[] chunk) {
        int at = 0;
        while (at < chunk.length && bomMatched >= 0) {
            if (chunk[at] != BOM[bomMatched]) {
                for (int i = 0; i < bomMatched; i++) {
                    appendToLine(BOM[i]);
                }
                bomMatched = -1;
                return at;
            }
            at++;
            if (++bomMatched == BOM.length) {
                bomMatched = -1;
            }
        }
        return at;
    }

    /** The id to send back as {@code Last-Event-ID}: the last one seen on this connection. */
    public String lastEventId() {
        return lastEventId;
    }

    private void appendToLine(byte b) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
    }

    private void endOfLine(List<SseEvent> out) {
        if (lineLength == 0 && !lineOverflow) {
            dispatch(out);
            return;
        }
        int colon = indexOf(line, lineLength, (byte) ':');
        if (colon == 0) {
            resetLine(); // comment, e.g. a heartbeat
            return;
        }
        String field = colon < 0 ? ascii(0, lineLength) : ascii(0, colon);
        int valueStart = colon < 0 ? lineLength : colon + 1;
        if (valueStart < lineLength && line[valueStart] == ' ') {
            valueStart++;
        }
        switch (field) {
            case "data" -> appendData(valueStart);
            // An empty type is the default one, "message" (WHATWG: only a non-empty buffer sets the type).
            // A cut line's value is not the one sent: an id cut short was sent back as Last-Event-ID (refused), saved
            // as the position, and the feed resumed from now. Only data knows how to say it was cut (malformed).
            case "event" -> eventName = lineOverflow ? eventName : valueStart == lineLength ? null : utf8(valueStart, lineLength);
            case "id" -> {
                String id = utf8(valueStart, lineLength);
                if (!lineOverflow && sendable(id)) {
                    idBuffer = id; // becomes the last event id when the event is dispatched
                }
            }
            // WHATWG ignores a retry that is not all digits: it does not undo an earlier valid one of the block.
            case "retry" -> {
                long retry = lineOverflow ? -1 : parseRetry(valueStart);
                retryMs = retry < 0 ? retryMs : retry;
            }
            default -> { } // unknown fields are ignored, per the spec
        }
        resetLine();
    }

    /** Longer ids are ignored: sent back as Last-Event-ID, servers answer 431 (Wikimedia's are some 200 chars). */
    static final int MAX_ID_CHARS = 4096;

    /**
     * Whether an id can be sent back as {@code Last-Event-ID}: WHATWG ignores ids holding NUL, and an HTTP field value
     * holds no other control character either but tab. One the client refused to send stopped the ingest for good,
     * across restarts (the checkpoint saved it): every reconnect failed before it reached the server. An id ignored
     * leaves the last one in place, whose resume sends some events again, which the de-duplication drops.
     */
    static boolean sendable(String id) {
        if (id.length() > MAX_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private void appendData(int valueStart) {
        int len = lineLength - valueStart;
        long added = len + (hasData ? 1 : 0);
        dataTotal += added + lineDropped;
        if (lineOverflow || dataLength + added > maxEventBytes) {
            dataOverflow = true;
        } else {
            if (dataLength + added > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, (int) (dataLength + added)));
            }
            if (hasData) {
                data[dataLength++] = '\n';
            }
            System.arraycopy(line, valueStart, data, dataLength, len);
            dataLength += len;
        }
        hasData = true;
    }

    private void dispatch(List<SseEvent> out) {
        boolean idMoved = !Objects.equals(idBuffer, lastEventId);
        lastEventId = idBuffer;
        if (hasData) {
            String text;
            boolean invalid = false;
            CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                text = strict.decode(ByteBuffer.wrap(data, 0, dataLength)).toString();
            } catch (CharacterCodingException e) {
                invalid = true;
                text = new String(data, 0, dataLength, StandardCharsets.UTF_8);
            }
            out.add(new SseEvent(lastEventId, eventName, text, retryMs, invalid, dataOverflow, dataTotal));
        } else if (retryMs >= 0 || idMoved) {
            // A block without data still tells the client how long to wait before reconnecting, and where to
            // resume: WHATWG moves the last event id on every dispatch, data or not. Kept back, a server that
            // moves the id with an id-only block is asked again for what it already sent.
            out.add(new SseEvent(lastEventId, eventName, null, retryMs, false, false, 0));
        }
        hasData = false;
        dataLength = 0;
        dataTotal = 0;
        dataOverflow = false;
        eventName = null;
        retryMs = -1;
        if (data.length > 64 * 1024) {
            data = new byte[1024]; // do not keep a huge buffer alive after one big event
        }
    }

    private long parseRetry(int from) {
        if (from >= lineLength) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < lineLength; i++) {
            if (line[i] < '0' || line[i] > '9' || value > Long.MAX_VALUE / 10 - 10) {
                return -1; // the spec ignores a retry field that is not all ASCII digits
            }
            value = value * 10 + (line[i] - '0');
        }
        return value;
    }

    private void resetLine() {
        lineLength = 0;
        lineOverflow = false;
        lineDropped = 0;
        if (line.length > 64 * 1024) {
            line = new byte[1024];
        }
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.US_ASCII);
    }

    private String utf8(int from, int to) {
        return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(line, from, to - from)).toString();
    }

    private static int indexOf(byte[] bytes, int length, byte b) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

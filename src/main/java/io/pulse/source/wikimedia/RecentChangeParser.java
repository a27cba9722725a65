package io.pulse.source.wikimedia;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * Parses one raw recentchange JSON event. A streaming parser: fields Pulse does not use (comments,
 * parsed comments, revisions) are skipped without being materialised, which keeps the aggregator's
 * hot path cheap, and every type error names the field it found.
 * Thread-safe and allocation-light; one instance serves ingest and aggregation.
 */
public final class RecentChangeParser {

    /** Longest text field stored, in UTF-8 bytes: two such keys and a timestamp fit a B-tree entry. */
    static final int MAX_TEXT_BYTES = 1024;
    /** {@code meta.stream} of a recentchange event. */
    static final String RECENTCHANGE_STREAM = "mediawiki.recentchange";
    /** Largest page length accepted, in bytes: MediaWiki's own cap is 2 MB ({@code $wgMaxArticleSize}). */
    static final long MAX_PAGE_BYTES = 1L << 30;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private final EventLimits limits;

    public RecentChangeParser(EventLimits limits) {
        this.limits = limits;
    }

    public ParseResult parse(String json) {
        if (json == null || json.isBlank()) {
            return new ParseResult.Rejected("empty event");
        }
        if (json.length() > limits.maxEventChars()) {
            return new ParseResult.Rejected("event larger than " + limits.maxEventChars() + " characters");
        }
        try (JsonParser p = JSON.createParser(json)) {
            return parse(p);
        } catch (IOException e) {
            return malformed(e);
        }
    }

    /**
     * The same, straight from UTF-8 bytes as they come off Kafka: Jackson's byte parser skips
     * decoding a String and then reading it char by char, and unused fields are never decoded at
     * all. Bytes that are not UTF-8 are rejected (a String decode would have replaced them silently).
     */
    public ParseResult parse(byte[] json) {
        if (json == null || isBlank(json)) {
            return new ParseResult.Rejected("empty event");
        }
        if (json.length > limits.maxEventChars()) {
            // Bytes outnumber chars for non-ASCII text: only the decoded length can decide (rare). Decoded strictly, as
            // Jackson's byte parser reads: new String(..) replaced bytes that are not UTF-8, and accepted the event.
            try {
                return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json)).toString());
            } catch (CharacterCodingException e) {
                return new ParseResult.Rejected("event data is not valid UTF-8");
            }
        }
        try (JsonParser p = JSON.createParser(json)) {
            return parse(p);
        } catch (IOException e) {
            return malformed(e);
        }
    }

    private ParseResult parse(JsonParser p) {
        try {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new ParseResult.Rejected("not a JSON object");
            }
            Fields f = new Fields();
            readEvent(p, f);
            if (p.nextToken() != null) {
                return new ParseResult.Rejected("trailing content after the JSON object");
            }
            return f.toResult(limits);
        } catch (InvalidField e) {
            return new ParseResult.Rejected(e.getMessage());
        } catch (IOException | RuntimeException e) {
            return malformed(e);
        }
    }

    private static ParseResult.Rejected malformed(Exception e) {
        String message = firstLine(e.getMessage());
        if (message.startsWith("Invalid UTF-8")) { // Jackson's byte parser; the SSE decoder says the same
            return new ParseResult.Rejected("event data is not valid UTF-8");
        }
        return new ParseResult.Rejected("malformed JSON: " + message);
    }

    private static boolean isBlank(byte[] json) {
        for (byte b : json) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x0B) {
                return false;
            }
        }
        return true;
    }

    private static void readEvent(JsonParser p, Fields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "meta" -> readMeta(p, t, f);
                case "type" -> f.type = text(p, t, "type");
                case "title" -> f.title = text(p, t, "title");
                case "user" -> f.user = text(p, t, "user");
                case "wiki" -> f.wiki = text(p, t, "wiki");
                case "bot" -> f.bot = bool(p, t, "bot");
                case "namespace" -> f.namespace = integer(p, t, "namespace");
                case "timestamp" -> f.timestamp = integer(p, t, "timestamp");
                case "length" -> readLength(p, t, f);
                default -> p.skipChildren();
            }
        }
    }

    private static void readMeta(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        expect(t == JsonToken.START_OBJECT, "meta", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "id" -> f.id = text(p, v, "meta.id");
                case "domain" -> f.domain = text(p, v, "meta.domain");
                case "dt" -> f.dt = text(p, v, "meta.dt");
                case "stream" -> f.stream = text(p, v, "meta.stream");
                default -> p.skipChildren();
            }
        }
    }

    private static void readLength(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        expect(t == JsonToken.START_OBJECT, "length", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "old" -> f.lengthOld = integer(p, v, "length.old");
                case "new" -> f.lengthNew = integer(p, v, "length.new");
                default -> p.skipChildren();
            }
        }
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(t == JsonToken.VALUE_STRING, field, "a string");
        return p.getText();
    }

    private static Boolean bool(JsonParser p, JsonToken t, String field) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, field, "a boolean");
        return t == JsonToken.VALUE_TRUE;
    }

    private static Long integer(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(t == JsonToken.VALUE_NUMBER_INT, field, "an integer");
        return p.getLongValue();
    }

    private static void expect(boolean ok, String field, String what) {
        if (!ok) {
            throw new InvalidField("field '" + field + "' must be " + what);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The raw fields as read; validated and converted in {@link #toResult}. */
    private static final class Fields {
        String id, domain, dt, stream, type, title, user, wiki;
        Boolean bot;
        Long namespace, timestamp, lengthOld, lengthNew;

        ParseResult toResult(EventLimits limits) {
            if ("canary".equals(domain)) {
                return ParseResult.Ignored.CANARY;
            }
            // A URL may name several streams (/v2/stream/recentchange,page-create): the others' events are no bad
            // input, nor changes. Older recordings have no meta.stream.
            if (stream != null && !RECENTCHANGE_STREAM.equals(stream)) {
                return new ParseResult.Ignored("an event of stream " + stream, "other-stream");
            }
            String missing = id == null ? "meta.id"
                    : domain == null ? "meta.domain"
                    : type == null ? "type"
                    : title == null ? "title"
                    : wiki == null ? "wiki"
                    : timestamp == null && dt == null ? "timestamp" : null;
            if (missing != null) {
                return new ParseResult.Rejected("missing field '" + missing + "'");
            }
            String unstorable = unstorable("type", type);
            unstorable = unstorable != null ? unstorable : unstorable("title", title);
            unstorable = unstorable != null ? unstorable : unstorable("user", user);
            unstorable = unstorable != null ? unstorable : unstorable("wiki", wiki);
            unstorable = unstorable != null ? unstorable : unstorable("meta.domain", domain);
            unstorable = unstorable != null ? unstorable : unstorable("meta.id", id); // in alerts' jsonb details
            if (unstorable != null) {
                return new ParseResult.Rejected(unstorable);
            }
            if (outOfRange(lengthOld) || outOfRange(lengthNew)) {
                return new ParseResult.Rejected("field 'length." + (outOfRange(lengthOld) ? "old" : "new")
                        + "' is out of range (0 to " + MAX_PAGE_BYTES + ")");
            }
            if (namespace != null && namespace != namespace.intValue()) {
                return new ParseResult.Rejected("field 'namespace' is out of range");
            }
            long eventTimeMs;
            if (timestamp != null) {
                if (timestamp > Long.MAX_VALUE / 1000 || timestamp < Long.MIN_VALUE / 1000) {
                    // seconds * 1000 would wrap around, possibly into a plausible event time
                    return new ParseResult.Rejected("field 'timestamp' is out of range");
                }
                eventTimeMs = timestamp * 1000;
            } else {
                try {
                    eventTimeMs = OffsetDateTime.parse(dt).toInstant().toEpochMilli();
                } catch (DateTimeParseException e) {
                    return new ParseResult.Rejected("field 'meta.dt' is not an ISO-8601 date-time");
                }
            }
            String timeProblem = limits.checkEventTime(eventTimeMs);
            if (timeProblem != null) {
                return new ParseResult.Rejected(timeProblem + ": " + Instant.ofEpochMilli(eventTimeMs));
            }
            long delta = (lengthNew == null ? 0 : lengthNew) - (lengthOld == null ? 0 : lengthOld);
            int ns = namespace == null ? RecentChange.NO_NAMESPACE : namespace.intValue();
            return new ParseResult.Accepted(new RecentChange(id, domain, wiki, type, ns, title, user,
                    Boolean.TRUE.equals(bot), eventTimeMs, delta, lengthOld));
        }
    }

    /**
     * A page length no page has. The byte sums of a window would otherwise pass PostgreSQL's bigint
     * (failing the batch on every retry) or wrap around in a batch's fold (wrong without a trace).
     */
    private static boolean outOfRange(Long length) {
        return length != null && (length < 0 || length > MAX_PAGE_BYTES);
    }

    /**
     * Why PostgreSQL could not store a text field, or null. No text value may hold a NUL character;
     * half of a surrogate pair alone (a JSON escape can make one; it is not Unicode) is written as '?'
     * by the database client, so two such titles of one batch became one row twice in an upsert; and these
     * fields are index keys, whose entries must fit a third of a page (2,704 bytes, after compression);
     * the event id goes into the jsonb details of an alert, which refuses a NUL as well.
     * Each failed the batch's transaction on every retry and stalled its partition for good.
     * MediaWiki's own limit on a title or user name is 255 bytes; a title here carries its namespace.
     * One pass, counting the UTF-8 bytes on the way.
     */
    static String unstorable(String field, String value) {
        if (value == null) {
            return null;
        }
        int bytes = 0;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    return "field '" + field + "' contains a NUL character";
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (!Character.isSurrogate(c)) {
                bytes += 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                return "field '" + field + "' is not valid Unicode (an unpaired surrogate)";
            }
        }
        return bytes > MAX_TEXT_BYTES ? "field '" + field + "' is longer than " + MAX_TEXT_BYTES + " bytes" : null;
    }

    private static final class InvalidField extends RuntimeException {
        InvalidField(String message) {
            super(message, null, false, false);
        }
    }
}

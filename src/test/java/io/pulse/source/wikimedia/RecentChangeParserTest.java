package io.pulse.source.wikimedia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class RecentChangeParserTest {

    /** "Now" for every test: event-time sanity checks must not depend on the wall clock. */
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final EventLimits LIMITS = new EventLimits(512 * 1024, Duration.ofHours(1),
            EventLimits.WIKIPEDIA_LAUNCH, Clock.fixed(NOW, ZoneOffset.UTC));
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RecentChangeParser parser = new RecentChangeParser(LIMITS);

    // ---------------------------------------------------------------- real recordings

    @Test
    void shouldAcceptEveryEventOfTheOldSchemaRecording() throws IOException {
        List<String> lines = recording("editgroups-one_qs_batch.jsonl");

        assertEquals(3818, lines.size());
        assertEquals(22, lines.stream().filter(l -> "log".equals(tree(l).path("type").asText())).count(),
                "the recording holds log events without 'length'");
        assertEveryLineParsesLikeTheJsonTree(lines);
    }

    @Test
    void shouldAcceptEveryEventOfTheRecordingWithNewPages() throws IOException {
        List<String> lines = recording("editgroups-qs_batch_with_new_items.jsonl");

        assertEquals(82, lines.size());
        long newPages = lines.stream().map(this::parse).map(r -> assertInstanceOf(ParseResult.Accepted.class, r))
                .filter(a -> a.change().isNewPage()).count();
        assertEquals(9, newPages);
        assertEveryLineParsesLikeTheJsonTree(lines);
    }

    @Test
    void shouldAcceptEveryEventOfTheCurrentSchemaRecordingIncludingTheUnterminatedLastLine() throws IOException {
        List<String> lines = recording("polars-book-wikimedia.ndjson");

        assertEquals(100, lines.size(), "the last line has no trailing newline but is an event");
        assertEveryLineParsesLikeTheJsonTree(lines);
    }

    private void assertEveryLineParsesLikeTheJsonTree(List<String> lines) throws IOException {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            ParseResult result = parse(line);
            int lineNo = 1 + i;
            ParseResult.Accepted accepted = assertInstanceOf(ParseResult.Accepted.class, result,
                    () -> "line " + lineNo + " was " + result);
            JsonNode expected = MAPPER.readTree(line);
            RecentChange c = accepted.change();
            String where = "line " + lineNo;
            assertEquals(expected.path("meta").path("id").asText(), c.eventId(), where);
            assertEquals(expected.path("meta").path("domain").asText(), c.domain(), where);
            assertEquals(expected.path("wiki").asText(), c.wiki(), where);
            assertEquals(expected.path("type").asText(), c.type(), where);
            assertEquals(expected.path("title").asText(), c.title(), where);
            assertEquals(expected.path("user").asText(null), c.user(), where);
            assertEquals(expected.path("bot").asBoolean(false), c.bot(), where);
            assertEquals(expected.path("namespace").isInt() ? expected.get("namespace").asInt() : RecentChange.NO_NAMESPACE,
                    c.namespace(), where);
            assertEquals(expected.path("timestamp").asLong() * 1000, c.eventTimeMs(), where);
            JsonNode length = expected.path("length");
            assertEquals(length.path("new").asLong(0) - length.path("old").asLong(0), c.byteDelta(), where);
            assertEquals(length.path("old").isIntegralNumber() ? length.get("old").asLong() : null, c.oldLength(), where);
        }
    }

    // ---------------------------------------------------------------- field mapping

    @Test
    void shouldMapTheFieldsOfOneEvent() {
        RecentChange c = accepted(event());

        assertEquals(new RecentChange("0416300b-980c-45bb-b0a2-c9d7a9e2b7eb", "en.wikipedia.org", "enwiki", "edit",
                0, "EFL Championship", "87.12.215.232", false, 1690617099000L, 58, 91108L), c);
        assertEquals(58, c.bytesAdded());
        assertEquals(0, c.bytesRemoved());
        assertEquals("enwiki:EFL Championship", c.partitionKey());
    }

    @Test
    void shouldCountMissingLengthsAsZero() {
        ObjectNode newPage = event();
        newPage.put("type", "new");
        ((ObjectNode) newPage.get("length")).remove("old");
        ObjectNode log = event();
        log.put("type", "log");
        log.remove("length");
        ObjectNode nullLength = event();
        nullLength.putNull("length");

        assertEquals(91166, accepted(newPage).byteDelta());
        assertTrue(accepted(newPage).isNewPage());
        assertEquals(0, accepted(log).byteDelta());
        assertEquals(0, accepted(nullLength).byteDelta());
        assertNull(accepted(newPage).oldLength());
        assertNull(accepted(log).oldLength());
        assertNull(accepted(nullLength).oldLength());
    }

    @Test
    void shouldReportShrinkingPagesAsBytesRemoved() {
        ObjectNode shrink = event();
        ((ObjectNode) shrink.get("length")).put("old", 100).put("new", 40);

        RecentChange c = accepted(shrink);

        assertEquals(-60, c.byteDelta());
        assertEquals(0, c.bytesAdded());
        assertEquals(60, c.bytesRemoved());
        assertEquals(100L, c.oldLength(), "the mass-blanking rule's share of the page");
    }

    @Test
    void shouldRecordNoNamespaceAndNoBotWhenAbsent() {
        ObjectNode e = event();
        e.remove("namespace");
        e.remove("bot");
        e.remove("user");

        RecentChange c = accepted(e);

        assertEquals(RecentChange.NO_NAMESPACE, c.namespace());
        assertEquals(false, c.bot());
        assertEquals(null, c.user());
    }

    @ParameterizedTest
    @CsvSource({
            "2018-03-07T16:16:17+00:00, 1520439377000",
            "2023-07-29T07:51:39Z,      1690617099000",
            "2023-07-29T09:51:39+02:00, 1690617099000" })
    void shouldFallBackToMetaDtWhenTimestampIsAbsent(String dt, long expectedMs) {
        ObjectNode e = event();
        e.remove("timestamp");
        ((ObjectNode) e.get("meta")).put("dt", dt);

        assertEquals(expectedMs, accepted(e).eventTimeMs());
    }

    @Test
    void shouldPreferTimestampOverMetaDt() {
        ObjectNode e = event();
        ((ObjectNode) e.get("meta")).put("dt", "2020-01-01T00:00:00Z");

        assertEquals(1690617099000L, accepted(e).eventTimeMs());
    }

    // ---------------------------------------------------------------- ignored

    @Test
    void shouldIgnoreCanaryEvents() {
        ObjectNode e = event();
        ((ObjectNode) e.get("meta")).put("domain", "canary");

        ParseResult.Ignored ignored = assertInstanceOf(ParseResult.Ignored.class, parse(e.toString()));
        assertTrue(ignored.reason().contains("canary"), ignored.reason());
    }

    // ---------------------------------------------------------------- rejected

    @Test
    void shouldRejectEmptyAndBlankEvents() {
        assertRejected(parse(""), "empty");
        assertRejected(parse("  \n"), "empty");
        assertRejected(parse(null), "empty");
    }

    @Test
    void shouldRejectTextThatIsNotJson() {
        assertRejected(parse("this is not json"), "malformed JSON");
        assertRejected(parse("{\"meta\": {\"id\": \"x\""), "malformed JSON");
    }

    @Test
    void shouldRejectJsonThatIsNotAnObject() {
        assertRejected(parse("[" + event() + "]"), "not a JSON object");
        assertRejected(parse("42"), "not a JSON object");
    }

    @Test
    void shouldRejectTrailingContentAfterTheObject() {
        assertRejected(parse(event() + " {}"), "trailing content");
        assertRejected(parse(event() + "\n" + event()), "trailing content");
        // Not even a token: the JSON reader itself stops on it.
        assertRejected(parse(event() + "garbage"), "malformed JSON");
    }

    @ParameterizedTest
    @CsvSource({ "meta.id", "meta.domain", "type", "title", "wiki" })
    void shouldRejectEventsMissingARequiredField(String field) {
        ObjectNode e = event();
        if (field.startsWith("meta.")) {
            ((ObjectNode) e.get("meta")).remove(field.substring("meta.".length()));
        } else {
            e.remove(field);
        }

        assertRejected(parse(e.toString()), "missing field '" + field + "'");
    }

    @Test
    void shouldTreatNullAsMissing() {
        ObjectNode e = event();
        e.putNull("title");

        assertRejected(parse(e.toString()), "missing field 'title'");
    }

    @Test
    void shouldRejectEventsWithNeitherTimestampNorMetaDt() {
        ObjectNode e = event();
        e.remove("timestamp");
        ((ObjectNode) e.get("meta")).remove("dt");

        assertRejected(parse(e.toString()), "missing field 'timestamp'");
    }

    @Test
    void shouldRejectAnUnreadableMetaDt() {
        ObjectNode e = event();
        e.remove("timestamp");
        ((ObjectNode) e.get("meta")).put("dt", "yesterday");

        assertRejected(parse(e.toString()), "meta.dt");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bot       | \"yes\" | field 'bot' must be a boolean",
            "namespace | \"0\"   | field 'namespace' must be an integer",
            "timestamp | \"abc\" | field 'timestamp' must be an integer",
            "timestamp | 1.69e9  | field 'timestamp' must be an integer",
            "meta      | 5       | field 'meta' must be an object",
            "length    | 12      | field 'length' must be an object",
            "title     | 7       | field 'title' must be a string",
            "wiki      | {}      | field 'wiki' must be a string" })
    void shouldRejectFieldsOfTheWrongType(String field, String json, String reason) throws IOException {
        ObjectNode e = event();
        e.set(field, MAPPER.readTree(json));

        assertRejected(parse(e.toString()), reason);
    }

    /** PostgreSQL stores no NUL in text: such an event would fail its batch's transaction forever. */
    @ParameterizedTest
    @ValueSource(strings = { "type", "title", "user", "wiki", "meta.domain", "meta.id" })
    void shouldRejectAStoredTextFieldWithANulCharacter(String field) {
        ObjectNode e = event();
        ObjectNode holder = field.startsWith("meta.") ? (ObjectNode) e.get("meta") : e;
        String name = field.substring(field.indexOf('.') + 1);
        holder.put(name, "a\u0000b");

        assertRejected(parse(e.toString()), "field '" + field + "' contains a NUL character");
    }

    /**
     * An unpaired surrogate is no Unicode (the database client would store it as '?'); it can only come
     * as a JSON escape, as UTF-8 has no bytes for it. A pair is fine.
     */
    @ParameterizedTest
    @ValueSource(strings = { "a\\ud800", "\\ud800b", "a\\udc00b", "\\ude00\\ud83d" })
    void shouldRejectTextWithAnUnpairedSurrogate(String escapedTitle) {
        String json = event().toString().replace("EFL Championship", escapedTitle);

        assertRejected(parse(json), "field 'title' is not valid Unicode (an unpaired surrogate)");
        ParseResult pair = parse(event().toString().replace("EFL Championship", "a\\ud83d\\ude00"));
        assertEquals("a\ud83d\ude00", assertInstanceOf(ParseResult.Accepted.class, pair).change().title());
    }

    /** Index keys must fit a B-tree entry: 1,024 UTF-8 bytes pass, one more does not, counted as UTF-8. */
    @Test
    void shouldRejectAStoredTextFieldLongerThanAnIndexKeyMayBe() {
        String euros = "\u20ac".repeat(341) + "a"; // 3 bytes each: 1,024 bytes in 342 chars
        String emoji = "\ud83d\ude00".repeat(256); // 4 bytes each (2 chars): 1,024 bytes
        for (String fits : List.of(euros, emoji, "t".repeat(1024))) {
            ObjectNode e = event();
            e.put("title", fits);
            assertEquals(fits, accepted(e).title());
        }
        for (String tooLong : List.of(euros + "a", emoji + "\ud83d\ude00", "t".repeat(1025))) {
            ObjectNode e = event();
            e.put("user", tooLong);
            assertRejected(parse(e.toString()), "field 'user' is longer than 1024 bytes");
        }
    }

    /** A window's byte sums must stay far inside a bigint: no page is negative or over a gigabyte long. */
    @ParameterizedTest
    @CsvSource({ "old, -1", "new, -1", "old, 1073741825", "new, 9000000000000000000", "new, -9000000000000000000" })
    void shouldRejectAPageLengthNoPageHas(String which, long length) {
        ObjectNode e = event();
        ((ObjectNode) e.get("length")).put(which, length);

        assertRejected(parse(e.toString()), "field 'length." + which + "' is out of range (0 to 1073741824)");
    }

    @Test
    void shouldAcceptPageLengthsUpToAGigabyte() {
        ObjectNode e = event();
        ((ObjectNode) e.get("length")).put("old", 0).put("new", 1L << 30);

        assertEquals(1L << 30, accepted(e).bytesAdded());
    }

    @Test
    void shouldRejectANestedFieldOfTheWrongType() {
        ObjectNode e = event();
        ((ObjectNode) e.get("meta")).put("id", 12);
        ObjectNode f = event();
        ((ObjectNode) f.get("length")).put("new", "big");

        assertRejected(parse(e.toString()), "field 'meta.id' must be a string");
        assertRejected(parse(f.toString()), "field 'length.new' must be an integer");
    }

    @Test
    void shouldRejectAnEventLargerThanTheLimitEvenWhenItIsValidJson() {
        ObjectNode huge = event();
        huge.put("comment", "x".repeat(1024 * 1024));
        String json = huge.toString();
        assertEquals(1024 * 1024, tree(json).get("comment").asText().length(), "the event itself is well-formed");

        assertRejected(parse(json), "larger than " + LIMITS.maxEventChars());
    }

    @Test
    void shouldAcceptAnEventJustBelowTheLimit() {
        ObjectNode e = event();
        e.put("comment", "");
        e.put("comment", "x".repeat(LIMITS.maxEventChars() - e.toString().length()));
        assertEquals(LIMITS.maxEventChars(), e.toString().length());

        assertInstanceOf(ParseResult.Accepted.class, parse(e.toString()));
    }

    @Test
    void shouldRejectATimestampFarInTheFuture() {
        ObjectNode e = event();
        e.put("timestamp", NOW.plus(Duration.ofHours(2)).getEpochSecond());

        assertRejected(parse(e.toString()), "in the future");
    }

    @Test
    void shouldAcceptATimestampWithinTheAllowedFutureSkew() {
        ObjectNode e = event();
        e.put("timestamp", NOW.plus(Duration.ofMinutes(59)).getEpochSecond());

        assertEquals(NOW.plus(Duration.ofMinutes(59)).toEpochMilli(), accepted(e).eventTimeMs());
    }

    @Test
    void shouldRejectAMetaDtFarInTheFuture() {
        ObjectNode e = event();
        e.remove("timestamp");
        ((ObjectNode) e.get("meta")).put("dt", "2030-01-01T00:00:00Z");

        assertRejected(parse(e.toString()), "in the future");
    }

    @Test
    void shouldRejectATimestampBeforeWikipediaExisted() {
        ObjectNode e = event();
        e.put("timestamp", Instant.parse("2000-12-31T23:59:59Z").getEpochSecond());
        ObjectNode zero = event();
        zero.put("timestamp", 0);

        assertRejected(parse(e.toString()), "before " + EventLimits.WIKIPEDIA_LAUNCH);
        assertRejected(parse(zero.toString()), "before");
    }

    @Test
    void shouldRejectATimestampSoLargeThatMillisecondsOverflow() {
        // 2^61 + 1690617099 seconds: multiplied by 1000 it wraps around to exactly 2023-07-29T07:51:39Z.
        ObjectNode e = event();
        e.put("timestamp", (1L << 61) + 1690617099L);

        assertRejected(parse(e.toString()), "field 'timestamp' is out of range");
    }

    @Test
    void shouldRejectANamespaceOutsideTheIntRange() {
        // 2^32 would silently become namespace 0 (articles) if narrowed.
        ObjectNode e = event();
        e.put("namespace", 1L << 32);

        assertRejected(parse(e.toString()), "field 'namespace' is out of range");
    }

    /** Past 64 levels (Jackson's own bound is 1,000: a test at 1,001 passed without Pulse's). */
    @Test
    void shouldRejectAnEventNestedDeeperThan64Levels() {
        ObjectNode e = event();
        // The event's own object is level 1: 63 arrays inside it make 64 levels, one more make 65.
        String deepest = e.toString().replace("\"comment\":", "\"deep\":" + "[".repeat(63) + "]".repeat(63) + ",\"comment\":");
        String tooDeep = e.toString().replace("\"comment\":", "\"deep\":" + "[".repeat(64) + "]".repeat(64) + ",\"comment\":");

        assertInstanceOf(ParseResult.Accepted.class, parse(deepest));
        assertRejected(parse(tooDeep), "malformed JSON");
    }

    /** A URL naming several streams: another stream's events are neither changes nor bad input. */
    @Test
    void shouldIgnoreAnotherStreamsEvents() {
        ObjectNode e = event();
        ((ObjectNode) e.get("meta")).put("stream", "mediawiki.page-create");
        e.remove("type");

        ParseResult.Ignored ignored = assertInstanceOf(ParseResult.Ignored.class, parse(e.toString()));
        assertEquals("other-stream", ignored.outcome());
        assertTrue(ignored.reason().contains("mediawiki.page-create"), ignored.reason());
    }

    /** An event over the character limit in bytes is decoded to be measured: strictly, as the byte parser reads. */
    @Test
    void shouldRejectBytesThatAreNotUtf8InAnEventMeasuredByItsCharacters() {
        ObjectNode e = event();
        e.put("comment", "");
        e.put("comment", "\u00e9".repeat(LIMITS.maxEventChars() - e.toString().length() - 1));
        byte[] valid = e.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(valid.length > LIMITS.maxEventChars(), "measured by its characters");
        assertInstanceOf(ParseResult.Accepted.class, parser.parse(valid));
        String marked = e.toString().replace("\"comment\":\"", "\"comment\":\"#");
        byte[] invalid = marked.getBytes(StandardCharsets.UTF_8);
        invalid[marked.indexOf('#')] = (byte) 0xFF;

        assertRejected(parser.parse(invalid), "event data is not valid UTF-8");
    }

    @Test
    void shouldApplyTheDefaultLimitsToOldRecordings() {
        RecentChangeParser withDefaults = new RecentChangeParser(EventLimits.defaults());

        assertInstanceOf(ParseResult.Accepted.class, withDefaults.parse(event().toString()));
    }

    // ---------------------------------------------------------------- bytes (the aggregator reads UTF-8 off Kafka)

    @Test
    void shouldRejectBytesThatAreNotUtf8() {
        byte[] json = event().toString().replace("EFL Championship", "EFL \u00e9").getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(parser.parse(json), "event data is not valid UTF-8");
        assertRejected(parser.parse(new byte[0]), "empty");
        assertRejected(parser.parse(" \n\t".getBytes(StandardCharsets.UTF_8)), "empty");
    }

    @Test
    void shouldMeasureTheLimitInCharactersNotBytes() {
        ObjectNode e = event();
        e.put("comment", "");
        e.put("comment", "\u00e9".repeat(LIMITS.maxEventChars() - e.toString().length()));
        byte[] json = e.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(json.length > LIMITS.maxEventChars(), "two bytes per é");

        assertInstanceOf(ParseResult.Accepted.class, parser.parse(json));
        e.put("comment", e.get("comment").asText() + "\u00e9");
        assertRejected(parser.parse(e.toString().getBytes(StandardCharsets.UTF_8)), "larger than");
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Parses the text and its UTF-8 bytes: every case of this class checks that both entry points
     * (the ingest's String, the aggregator's and alerts' bytes) give the same result.
     */
    private ParseResult parse(String json) {
        ParseResult fromText = parser.parse(json);
        ParseResult fromBytes = parser.parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
        assertEquals(fromText, fromBytes, () -> "bytes and text disagree on " + abbreviate(json));
        return fromText;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() < 200 ? s : s.substring(0, 200) + "…";
    }

    /** A current-schema event (first line of polars-book-wikimedia.ndjson, trimmed). */
    private static ObjectNode event() {
        return (ObjectNode) tree("""
                {"$schema":"/mediawiki/recentchange/1.0.0","meta":{"uri":"https://en.wikipedia.org/wiki/EFL_Championship",\
                "request_id":"ea0541fb-4e72-4fc3-82f0-6c26651b2043","id":"0416300b-980c-45bb-b0a2-c9d7a9e2b7eb",\
                "dt":"2023-07-29T07:51:39Z","domain":"en.wikipedia.org","stream":"mediawiki.recentchange",\
                "topic":"eqiad.mediawiki.recentchange","partition":0,"offset":4820784717},"id":1659529639,\
                "type":"edit","namespace":0,"title":"EFL Championship","comment":"/* League champions */",\
                "timestamp":1690617099,"user":"87.12.215.232","bot":false,"minor":false,\
                "length":{"old":91108,"new":91166},"revision":{"old":1166824248,"new":1167689309},\
                "server_name":"en.wikipedia.org","wiki":"enwiki"}""");
    }

    private RecentChange accepted(ObjectNode event) {
        ParseResult result = parse(event.toString());
        return assertInstanceOf(ParseResult.Accepted.class, result, () -> "was " + result).change();
    }

    private static void assertRejected(ParseResult result, String reasonPart) {
        ParseResult.Rejected rejected = assertInstanceOf(ParseResult.Rejected.class, result, () -> "was " + result);
        assertTrue(rejected.reason().contains(reasonPart),
                () -> "reason '" + rejected.reason() + "' should mention '" + reasonPart + "'");
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line of a recording, split on '\n' only, so that an unterminated last line counts too. */
    static List<String> recording(String name) throws IOException {
        try (InputStream in = RecentChangeParserTest.class.getResourceAsStream("/recordings/" + name)) {
            assertNotNull(in, "test resource recordings/" + name);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n", -1)) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }
}

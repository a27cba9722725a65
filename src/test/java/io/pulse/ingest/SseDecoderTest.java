package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SseDecoderTest {

    private static final int LIMIT = 64 * 1024;

    private final SseDecoder decoder = new SseDecoder(LIMIT);

    // ---------------------------------------------------------------- fields and framing

    @Test
    void shouldKeepThePreviousIdWhenAnIdLineIsCutForItsLength() {
        SseDecoder small = new SseDecoder(64);
        small.feed(bytes("id: first\ndata: a\n\n"));

        // Cut short, the id was sent back as Last-Event-ID (refused) and saved as the position.
        List<SseEvent> events = small.feed(bytes("id: " + "x".repeat(200) + "\nevent: " + "y".repeat(200)
                + "\nretry: 1" + "0".repeat(200) + "\ndata: b\n\n"));

        assertEquals(1, events.size());
        SseEvent e = events.get(0);
        assertEquals("first", e.id(), "the cut id is not taken");
        assertNull(e.name(), "nor the cut event name");
        assertEquals(-1, e.retryMs(), "nor the cut retry");
        assertEquals("b", e.data());
    }

    @Test
    void shouldSkipAByteOrderMarkOpeningTheStreamWhereverTheChunksAreCut() {
        byte[] stream = concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, bytes("id: 1\ndata: x\n\n"));
        for (int cut = 0; cut <= 4; cut++) {
            SseDecoder fresh = new SseDecoder(1 << 20);
            List<SseEvent> events = new java.util.ArrayList<>(fresh.feed(java.util.Arrays.copyOfRange(stream, 0, cut)));
            events.addAll(fresh.feed(java.util.Arrays.copyOfRange(stream, cut, stream.length)));
            assertEquals(1, events.size(), "cut at " + cut);
            assertEquals("x", events.get(0).data());
            assertEquals("1", events.get(0).id());
        }
        // Only at the start: later, the same bytes are data (here, a valid character).
        List<SseEvent> later = feed("data: a\n\ndata: \uFEFFb\n\n");
        assertEquals("\uFEFFb", later.get(1).data());
        // Two bytes of a mark, then something else: those bytes stay, and make the line unreadable.
        SseDecoder broken = new SseDecoder(1 << 20);
        assertEquals(0, broken.feed(concat(new byte[] { (byte) 0xEF, (byte) 0xBB }, bytes("data: x\n\n"))).size());
    }

    @Test
    void shouldJoinMultiLineDataWithNewlines() {
        List<SseEvent> events = feed("data: first\ndata:second\ndata:  third\ndata\n\n");

        assertEquals(1, events.size());
        // One leading space is dropped, no more; a bare "data" line adds an empty line.
        assertEquals("first\nsecond\n third\n", events.get(0).data());
    }

    @Test
    void shouldDispatchEventsWithTheirNameIdAndSize() {
        List<SseEvent> events = feed("event: message\nid: 7\ndata: {\"a\":\"é\"}\n\n");

        assertEquals(List.of(new SseEvent("7", "message", "{\"a\":\"é\"}", -1, false, false, 10)), events);
        assertFalse(events.get(0).isMalformed());
        assertNull(events.get(0).problem());
    }

    @Test
    void shouldForgetTheEventNameAfterEachEvent() {
        List<SseEvent> events = feed("event: edit\ndata: a\n\ndata: b\n\n");

        assertEquals("edit", events.get(0).name());
        assertNull(events.get(1).name());
    }

    @Test
    void shouldReadAnEmptyEventNameAsTheDefaultType() {
        // Dropped as an "other" event while the name was "": a server writing a bare "event:" lost its events.
        List<SseEvent> events = feed("event: edit\nevent:\ndata: a\n\nevent\ndata: b\n\nevent: \ndata: c\n\n");

        assertEquals(3, events.size());
        events.forEach(e -> assertNull(e.name()));
    }

    @Test
    void shouldAcceptLfCrAndCrlfLineEndings() {
        String lf = "id: 1\ndata: a\ndata: b\n\n: note\ndata: c\n\n";
        List<SseEvent> expected = List.of(
                new SseEvent("1", null, "a\nb", -1, false, false, 3),
                new SseEvent("1", null, "c", -1, false, false, 1));

        assertEquals(expected, new SseDecoder(LIMIT).feed(bytes(lf)));
        assertEquals(expected, new SseDecoder(LIMIT).feed(bytes(lf.replace("\n", "\r\n"))));
        assertEquals(expected, new SseDecoder(LIMIT).feed(bytes(lf.replace("\n", "\r"))));
        assertEquals(expected, new SseDecoder(LIMIT).feed(bytes("id: 1\r\ndata: a\rdata: b\n\r\n: note\rdata: c\r\r")));
    }

    @Test
    void shouldDecodeTheSameEventsWhereverTheChunksAreCut() {
        byte[] stream = bytes("""
                : welcome\r
                retry: 3000\r
                \r
                event: message
                id: 1
                data: {"title":"Café ☕ 𝄞"}
                data: second line

                : heartbeat\rid: 2\rdata: cr and crlf\r
                \r
                data: id persists

                id: 3
                data:nospace
                data

                """);
        List<SseEvent> expected = List.of(
                new SseEvent(null, null, null, 3000, false, false, 0),
                new SseEvent("1", "message", "{\"title\":\"Café ☕ 𝄞\"}\nsecond line", -1, false, false,
                        utf8Length("{\"title\":\"Café ☕ 𝄞\"}\nsecond line")),
                new SseEvent("2", null, "cr and crlf", -1, false, false, 11),
                new SseEvent("2", null, "id persists", -1, false, false, 11),
                new SseEvent("3", null, "nospace\n", -1, false, false, 8));
        assertEquals(expected, new SseDecoder(LIMIT).feed(stream), "in one chunk");

        for (int i = 0; i <= stream.length; i++) {
            for (int j = i; j <= stream.length; j++) {
                SseDecoder d = new SseDecoder(LIMIT);
                List<SseEvent> events = new ArrayList<>(d.feed(Arrays.copyOfRange(stream, 0, i)));
                events.addAll(d.feed(Arrays.copyOfRange(stream, i, j)));
                events.addAll(d.feed(Arrays.copyOfRange(stream, j, stream.length)));
                assertEquals(expected, events, "cut at " + i + " and " + j);
            }
        }
        SseDecoder byteByByte = new SseDecoder(LIMIT);
        List<SseEvent> events = new ArrayList<>();
        for (byte b : stream) {
            events.addAll(byteByByte.feed(new byte[] { b }));
        }
        assertEquals(expected, events, "one byte at a time");
    }

    @Test
    void shouldIgnoreComments() {
        List<SseEvent> events = feed(": heartbeat\n\n:\n\ndata: a\n: in the middle\ndata: b\n\n");

        assertEquals(List.of(new SseEvent(null, null, "a\nb", -1, false, false, 3)), events);
    }

    @Test
    void shouldIgnoreUnknownFieldsAndBlocksWithoutData() {
        List<SseEvent> events = feed("foo: bar\n\nevent: ping\n\ndata: x\nfoo: baz\n\n");

        assertEquals(List.of(new SseEvent(null, null, "x", -1, false, false, 1)), events);
    }

    /** WHATWG moves the last event id on every dispatch, with data or not: the next connection resumes after it. */
    @Test
    void shouldDispatchAnIdOnlyBlockWhenItMovesTheId() {
        List<SseEvent> events = feed("id: 5\n\nid: 5\n\ndata: x\n\nid: 6\nevent: ping\n\n");

        assertEquals(List.of(new SseEvent("5", null, null, -1, false, false, 0), new SseEvent("5", null, "x", -1, false, false, 1),
                new SseEvent("6", "ping", null, -1, false, false, 0)), events, "a block that repeats the id is not dispatched again");
        assertEquals("6", decoder.lastEventId());
    }

    @Test
    void shouldKeepTheIdForFollowingEventsUntilANewOneArrives() {
        List<SseEvent> events = feed("id: a\ndata: 1\n\ndata: 2\n\nid: b\ndata: 3\n\nid\ndata: 4\n\n");

        assertEquals(List.of("a", "a", "b", ""), events.stream().map(SseEvent::id).toList(),
                "an empty id field resets the id");
        assertEquals("", decoder.lastEventId());
    }

    @Test
    void shouldIgnoreAnIdContainingNul() {
        List<SseEvent> events = feed("id: good\ndata: 1\n\nid: ba\0d\ndata: 2\n\n");

        assertEquals("good", events.get(1).id());
        assertEquals("good", decoder.lastEventId());
    }

    /**
     * An id the HTTP client refuses to send back (a control character) failed every reconnect before it reached
     * the server, and the checkpoint saved it: the ingest stayed stopped across restarts.
     */
    @Test
    void shouldIgnoreAnIdThatCannotBeSentBackAsAHeader() {
        String tooLong = "x".repeat(SseDecoder.MAX_ID_CHARS + 1);
        List<SseEvent> events = feed("id: good\ndata: 1\n\nid: [\"a\u0001b\"]\ndata: 2\n\nid: a\u007fb\ndata: 3\n\nid: "
                + tooLong + "\ndata: 4\n\nid: with\ttab\ndata: 5\n\n");

        assertEquals(List.of("good", "good", "good", "good", "with\ttab"), events.stream().map(SseEvent::id).toList());
        assertEquals("with\ttab", decoder.lastEventId());
    }

    @Test
    void shouldKeepAValidRetryWhenALaterRetryLineIsNotANumber() {
        List<SseEvent> events = feed("retry: 3000\nretry: x\ndata: a\n\n");

        assertEquals(3000, events.get(0).retryMs());
    }

    @Test
    void shouldReportTheIdOfTheLastDispatchedEventOnly() {
        feed("id: 1\ndata: complete\n\nid: 2\ndata: cut off by a clo");

        assertEquals("1", decoder.lastEventId(), "resuming after id 2 would skip the event that never arrived");
    }

    @Test
    void shouldReadTheRetryField() {
        List<SseEvent> events = feed("retry: 2500\ndata: a\n\ndata: b\n\n");

        assertEquals(2500, events.get(0).retryMs());
        assertEquals(-1, events.get(1).retryMs(), "retry belongs to its event only");
    }

    @Test
    void shouldIgnoreARetryThatIsNotAllDigits() {
        List<SseEvent> events = feed("retry: 10s\ndata: a\n\nretry: -5\ndata: b\n\nretry: 1.5\ndata: c\n\n"
                + "retry:\ndata: d\n\nretry: 99999999999999999999999\ndata: e\n\n");

        assertEquals(List.of(-1L, -1L, -1L, -1L, -1L), events.stream().map(SseEvent::retryMs).toList());
    }

    @Test
    void shouldDispatchARetryOnlyBlockWithoutData() {
        List<SseEvent> events = feed("retry: 5000\n\n");

        assertEquals(List.of(new SseEvent(null, null, null, 5000, false, false, 0)), events);
    }

    @Test
    void shouldNotDispatchABlockWhoseRetryIsInvalid() {
        assertEquals(List.of(), feed("retry: soon\n\n"));
    }

    @Test
    void shouldNotDispatchAnEventWithoutItsFinalBlankLine() {
        assertEquals(List.of(), feed("data: a"));
        assertEquals(List.of(), feed("\ndata: b\n"));
        assertEquals(List.of(), feed("data: c\r"), "a lone CR ends a line, not the event");
    }

    @Test
    void shouldDispatchAPendingEventOnceItsBlankLineArrives() {
        assertEquals(List.of(), feed("data: a\n"));

        assertEquals(List.of(new SseEvent(null, null, "a", -1, false, false, 1)), feed("\n"));
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void shouldFlagInvalidUtf8AndCarryOnWithTheNextEvent() {
        byte[] bad = concat(bytes("id: 1\ndata: ab"), new byte[] { (byte) 0xFF, (byte) 0xC3 }, bytes("cd\n\n"),
                bytes("id: 2\ndata: fine ✓\n\n"));

        List<SseEvent> events = decoder.feed(bad);

        assertEquals(2, events.size());
        SseEvent broken = events.get(0);
        assertTrue(broken.invalidUtf8());
        assertTrue(broken.isMalformed());
        assertEquals("event data is not valid UTF-8", broken.problem());
        assertTrue(broken.data().startsWith("ab") && broken.data().endsWith("cd") && broken.data().contains("\uFFFD"),
                broken.data());
        assertEquals(6, broken.sizeBytes());
        assertEquals(new SseEvent("2", null, "fine ✓", -1, false, false, utf8Length("fine ✓")), events.get(1));
    }

    @Test
    void shouldFlagAMultiByteCharacterCutAtTheEndOfTheData() {
        byte[] cut = Arrays.copyOf(bytes("data: ☕"), "data: ☕".length() + 1); // first 2 of 3 bytes
        SseEvent event = decoder.feed(concat(cut, bytes("\n\n"))).get(0);

        assertTrue(event.invalidUtf8());
    }

    @Test
    void shouldFlagAnOversizedEventWithItsTrueSizeAndCarryOn() {
        SseDecoder small = new SseDecoder(100);
        String line = "x".repeat(60);

        List<SseEvent> events = small.feed(bytes("id: big\ndata: " + line + "\ndata: " + line + "\ndata: " + line
                + "\n\nid: next\ndata: ok\n\n"));

        assertEquals(2, events.size());
        SseEvent big = events.get(0);
        assertTrue(big.oversized());
        assertTrue(big.isMalformed());
        assertEquals(60 * 3 + 2, big.sizeBytes());
        assertTrue(big.data().length() <= 100, "data is cut to the limit");
        assertEquals("event data of 182 bytes exceeds the limit", big.problem());
        assertEquals(new SseEvent("next", null, "ok", -1, false, false, 2), events.get(1));
    }

    @Test
    void shouldAcceptAnEventOfExactlyTheLimit() {
        SseDecoder small = new SseDecoder(100);

        SseEvent event = small.feed(bytes("data: " + "y".repeat(49) + "\ndata: " + "z".repeat(50) + "\n\n")).get(0);

        assertFalse(event.oversized());
        assertEquals(100, event.sizeBytes());
        assertEquals("y".repeat(49) + "\n" + "z".repeat(50), event.data());
    }

    @Test
    void shouldBoundMemoryOnAHugeLineWithoutNewline() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                && t.isThreadAllocatedMemoryEnabled(), "per-thread allocation counter needed");
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
        byte[] prefix = bytes("id: huge\ndata: ");
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        int chunks = 80; // 5 MB in one line
        decoder.feed(prefix);

        long before = allocations.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < chunks; i++) {
            assertEquals(List.of(), decoder.feed(chunk));
        }
        long allocated = allocations.getCurrentThreadAllocatedBytes() - before;

        assertTrue(allocated < 2 * 1024 * 1024,
                "buffering a 5 MB line must not allocate in proportion to it, allocated " + allocated);
        List<SseEvent> events = decoder.feed(bytes("\n\nid: after\ndata: still works\n\n"));
        assertEquals(2, events.size());
        SseEvent huge = events.get(0);
        assertTrue(huge.oversized());
        assertEquals((long) chunks * chunk.length, huge.sizeBytes(), "the true size, not the cut one");
        assertTrue(huge.data().length() <= LIMIT);
        assertEquals(new SseEvent("after", null, "still works", -1, false, false, 11), events.get(1));
    }

    @Test
    void shouldFlagAnOversizedLineFollowedBySmallLines() {
        SseDecoder small = new SseDecoder(100);

        List<SseEvent> events = small.feed(bytes("data: " + "x".repeat(500) + "\ndata: tail\n\ndata: ok\n\n"));

        assertTrue(events.get(0).oversized());
        assertEquals(500 + 1 + 4, events.get(0).sizeBytes());
        assertEquals("ok", events.get(1).data());
        assertFalse(events.get(1).oversized());
    }

    // ---------------------------------------------------------------- a real capture

    @Test
    void shouldReplayARealWikimediaCapture() throws IOException {
        byte[] capture = resource("/recordings/wiki_visualizer-example.events");
        List<String> lines = new String(capture, StandardCharsets.UTF_8).lines().toList();
        List<String> ids = lines.stream().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).toList();
        List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals(3, ids.size());

        // The capture stops right after the third event's data line: as received, that event is incomplete.
        assertEquals(2, new SseDecoder(LIMIT).feed(capture).size());

        // The blank line that the server sends after every event completes it.
        List<SseEvent> events = new SseDecoder(LIMIT).feed(concat(capture, bytes("\n\n")));

        assertEquals(3, events.size());
        ObjectMapper json = new ObjectMapper();
        HashSet<String> eventIds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            SseEvent e = events.get(i);
            assertEquals(ids.get(i), e.id());
            assertEquals("message", e.name());
            assertEquals(data.get(i), e.data());
            assertFalse(e.isMalformed());
            JsonNode tree = json.readTree(e.data());
            assertNotNull(tree.path("meta").path("id").textValue());
            eventIds.add(tree.path("meta").path("id").textValue());
        }
        assertEquals(3, eventIds.size());
    }

    // ---------------------------------------------------------------- helpers

    private List<SseEvent> feed(String text) {
        return decoder.feed(bytes(text));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long utf8Length(String s) {
        return bytes(s).length;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SseDecoderTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}

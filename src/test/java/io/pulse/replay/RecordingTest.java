package io.pulse.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordingTest {

    @Test
    void shouldResumeRightAfterTheOffsetOfAnEventId() {
        for (long offset : new long[] { 0, 1, 41, 3817, 1L << 40 }) {
            assertEquals(offset + 1, Recording.resumeOffset(Recording.eventId(offset)), "offset " + offset);
        }
    }

    @Test
    void shouldResumePastTheEndAfterTheLargestPossibleOffset() {
        assertEquals(Long.MAX_VALUE, Recording.resumeOffset(Recording.eventId(Long.MAX_VALUE)));
    }

    @Test
    void shouldProduceEventIdsInTheEventStreamsOffsetForm() {
        assertEquals("[{\"topic\":\"pulse.replay\",\"partition\":0,\"offset\":42}]", Recording.eventId(42));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "garbage", "42", "{\"offset\":}", "[{\"offset\":\"7\"}]", "[{\"offset\": x}]",
            "[{\"offset\":99999999999999999999999}]",
            // Wikimedia's own ids: a timestamp, and offset -1 for the idle datacentre
            "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1670732822001},"
                    + "{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":0,\"offset\":-1}]" })
    void shouldStartFromTheBeginningForAnUnreadableId(String lastEventId) {
        assertEquals(0, Recording.resumeOffset(lastEventId));
    }

    @Test
    void shouldLoadEveryNonBlankLineOfARecording() {
        Recording recording = Recording.fromClasspath("recordings/polars-book-wikimedia.ndjson");

        assertEquals(100, recording.events().size(), "including the last line, which has no newline");
    }

    @Test
    void shouldLoadTheBundledCompressedRecording() {
        Recording recording = Recording.fromClasspath("recordings/wikimedia-recentchange.jsonl.gz");

        assertFalse(recording.events().isEmpty());
        assertTrue(recording.events().stream().allMatch(e -> e.startsWith("{") && e.endsWith("}")),
                "one JSON object per line, decompressed");
    }

    @Test
    void shouldFailClearlyForAMissingRecording() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recording.fromClasspath("recordings/nope.jsonl"));
        assertEquals("No recording on the classpath at recordings/nope.jsonl", e.getMessage());
    }
}

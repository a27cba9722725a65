package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SseConnectorRetryAfterTest {

    @Test
    void shouldReadDelaySeconds() {
        assertEquals(Duration.ofSeconds(120), SseConnector.retryAfter("120"));
        assertEquals(Duration.ofSeconds(7), SseConnector.retryAfter(" 7 "));
        assertEquals(Duration.ZERO, SseConnector.retryAfter("0"));
    }

    @Test
    void shouldTreatNegativeSecondsAsNoWait() {
        assertEquals(Duration.ZERO, SseConnector.retryAfter("-30"));
    }

    @Test
    void shouldReadAnHttpDateInTheFuture() {
        Instant at = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
        String header = DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));

        Instant before = Instant.now();
        Duration wait = SseConnector.retryAfter(header);
        Instant after = Instant.now();

        assertTrue(header.endsWith("GMT"), header);
        assertTrue(wait.compareTo(Duration.between(before, at)) <= 0 && wait.compareTo(Duration.between(after, at)) >= 0,
                () -> header + " gave " + wait);
    }

    @Test
    void shouldWaitAnHourAtMostWhateverTheServerAsks() {
        // 10^17 s overflowed the delay in milliseconds and ended the stream for good; a week silenced the feed a week.
        assertEquals(Duration.ofHours(1), SseConnector.retryAfter("99999999999999999"));
        assertEquals(Duration.ofHours(1), SseConnector.retryAfter("604800"));
        String nextYear = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plus(Duration.ofDays(365))
                .truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC));
        assertEquals(Duration.ofHours(1), SseConnector.retryAfter(nextYear));
    }

    @Test
    void shouldNotWaitForAnHttpDateInThePast() {
        assertEquals(Duration.ZERO, SseConnector.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "  ", "soon", "1.5", "2 minutes", "99999999999999999999", "2015-10-21T07:28:00Z",
            "Wed, 32 Oct 2015 07:28:00 GMT" })
    void shouldIgnoreAnUnreadableHeader(String header) {
        assertNull(SseConnector.retryAfter(header));
    }
}

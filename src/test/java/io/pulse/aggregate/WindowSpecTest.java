package io.pulse.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowSpecTest {

    private static final long MINUTE = 60_000;

    private final WindowSpec minutes = WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

    @ParameterizedTest
    @CsvSource({
            "0,       0",
            "1,       0",
            "59999,   0",
            "60000,   60000",
            "1520439377000, 1520439360000",
            "-1,      -60000",
            "-60000,  -60000",
            "-60001,  -120000" })
    void shouldAssignEachTimeToTheWindowStartingAtOrBeforeIt(long eventTimeMs, long expectedStart) {
        assertEquals(expectedStart, minutes.windowStart(eventTimeMs));
    }

    @Test
    void shouldBuildFromDurations() {
        assertEquals(new WindowSpec(MINUTE, 2 * MINUTE), minutes);
    }

    @Test
    void shouldRejectNonPositiveSizesAndNegativeLateness() {
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec(-MINUTE, 0));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec(MINUTE, -1));
        assertEquals(0, new WindowSpec(MINUTE, 0).allowedLatenessMs());
    }

    @Test
    void shouldRejectAWindowThatIsNotAWholeNumberOfSeconds() {
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.of(Duration.ofMillis(500), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.of(Duration.ofMillis(1500), Duration.ZERO));
        assertEquals(2000, WindowSpec.of(Duration.ofSeconds(2), Duration.ZERO).sizeMs());
    }

    @Test
    void shouldNeverCallTheFirstEventLate() {
        assertFalse(minutes.isLate(0, Long.MIN_VALUE));
        assertFalse(minutes.isLate(Long.MIN_VALUE / 2, Long.MIN_VALUE));
    }

    @Test
    void shouldCallAnEventLateOnceTheWatermarkReachesTheEndOfItsWindow() {
        // Window [0, 1 min); the watermark is the newest time seen minus 2 minutes of allowed lateness.
        assertFalse(minutes.isLate(30_000, 3 * MINUTE - 1), "watermark 1 ms before the window end");
        assertTrue(minutes.isLate(30_000, 3 * MINUTE), "watermark exactly at the window end");
        assertTrue(minutes.isLate(59_999, 10 * MINUTE));
        assertTrue(minutes.isLate(0, 3 * MINUTE), "the first instant of the window too");
    }

    @Test
    void shouldNotCallEventsAtOrAfterTheNewestTimeLate() {
        assertFalse(minutes.isLate(5 * MINUTE, 5 * MINUTE));
        assertFalse(minutes.isLate(9 * MINUTE, 5 * MINUTE));
        assertFalse(minutes.isLate(4 * MINUTE - 1, 5 * MINUTE), "within the allowed lateness");
    }

    @Test
    void shouldCallAnEventOfAClosedWindowLateWithoutAllowedLateness() {
        WindowSpec strict = new WindowSpec(MINUTE, 0);

        assertTrue(strict.isLate(MINUTE - 1, MINUTE));
        assertFalse(strict.isLate(MINUTE, MINUTE));
        assertFalse(strict.isLate(MINUTE - 1, MINUTE - 1));
    }

    @Test
    void shouldHandleNegativeEventTimes() {
        assertTrue(minutes.isLate(-MINUTE, 2 * MINUTE), "window [-1 min, 0) ends at the watermark 0");
        assertFalse(minutes.isLate(-1, 2 * MINUTE - 1));
    }
}

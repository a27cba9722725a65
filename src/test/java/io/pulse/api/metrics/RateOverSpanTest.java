package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RateOverSpanTest {

    private static final long MS = 1_000_000L;

    /** A feed committed in batches of 1,500 events every 150 ms (10,000/s), sampled every 500 ms. */
    private static long committedBy(long atNanos) {
        return atNanos / (150 * MS) * 1_500;
    }

    /** A count the broker could not be asked for (answered from memory) is no sample: no false spike after it. */
    @Test
    void takesNoSampleFromACountThatWasNotMeasured() {
        RateOverSpan rate = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));
        for (long s = 0; s <= 10; s++) { // 100 events/s
            rate.add(s * 1_000 * MS, 100 * s, true);
        }
        assertThat(rate.add(15_500 * MS, 1_000, false)).as("the read failed after 5 s: not known, not 0").isNull();
        assertThat(rate.add(16_000 * MS, 1_600, true)).isCloseTo(100, within(1e-6));
        assertThat(rate.add(16_500 * MS, 1_650, true)).as("over 10-16.5 s, not 15.5-16.5 s")
                .isCloseTo(650 / 6.5, within(1e-6));
    }

    @Test
    void measuresEachRateFromTheNewestSampleAtLeastASecondOld() {
        RateOverSpan rate = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));
        List<Long> times = new ArrayList<>();
        for (long t = 40 * MS; t < 20_000 * MS; t += 500 * MS) {
            times.add(t);
        }
        for (int i = 0; i < times.size(); i++) {
            long now = times.get(i);
            double actual = rate.add(now, committedBy(now));
            // Independently: the latest earlier sample at least a second before this one, else the first.
            long base = times.get(0);
            for (int j = 0; j < i; j++) {
                if (now - times.get(j) >= 1_000 * MS) {
                    base = times.get(j);
                }
            }
            double expected = now == base ? 0 : (committedBy(now) - committedBy(base)) / ((now - base) / 1e9);
            assertThat(actual).as("sample %d", i).isCloseTo(expected, within(1e-6));
        }
    }

    /**
     * An hour at 100/s with no snapshot taken (nobody subscribed), the feed stopped ten seconds ago: the
     * first rate used to be the hour's average, 99.7/s; it is 0 (no base), then the rate of now.
     */
    @Test
    void startsAgainAfterAGapWithoutSamplesInsteadOfAveragingOverIt() {
        RateOverSpan rate = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));
        rate.add(0, 0);
        assertThat(rate.add(1_000 * MS, 100)).isEqualTo(100.0);
        long stopped = 3_600_000 * MS - 10_000 * MS;
        long count = 100 * (stopped / (1_000 * MS));
        assertThat(rate.add(3_600_000 * MS, count)).as("the first sample after the gap").isZero();
        assertThat(rate.add(3_600_500 * MS, count)).isZero();
    }

    @Test
    void staysNearTheFeedsRateWhereHalfASecondWouldJumpWithTheBatches() {
        RateOverSpan overASecond = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));
        RateOverSpan overAnInterval = new RateOverSpan(Duration.ZERO, Duration.ofMinutes(1));
        double worstOverASecond = 0;
        double worstOverAnInterval = 0;
        for (long t = 40 * MS; t < 20_000 * MS; t += 500 * MS) {
            double a = overASecond.add(t, committedBy(t));
            double b = overAnInterval.add(t, committedBy(t));
            if (t >= 1_040 * MS) {
                worstOverASecond = Math.max(worstOverASecond, Math.abs(a - 10_000));
                worstOverAnInterval = Math.max(worstOverAnInterval, Math.abs(b - 10_000));
            }
        }
        // 500 ms hold three or four batches (9,000 or 12,000/s); 1 s holds six or seven (9,000-10,500/s).
        assertThat(worstOverAnInterval).isEqualTo(2_000);
        assertThat(worstOverASecond).isEqualTo(1_000);
    }

    @Test
    void answersZeroForTheFirstSampleAndForACountThatWentBack() {
        RateOverSpan rate = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));

        assertThat(rate.add(0, 5_000)).isZero();
        assertThat(rate.add(2_000 * MS, 1_000)).isZero();
        assertThat(rate.add(4_000 * MS, 3_000)).isEqualTo(1_000);
    }

    @Test
    void usesTheLastIntervalWhenSamplesAreFartherApartThanTheSpan() {
        RateOverSpan rate = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));

        rate.add(0, 0);
        rate.add(5_000 * MS, 10_000);

        assertThat(rate.add(10_000 * MS, 40_000)).isEqualTo(6_000);
    }
}

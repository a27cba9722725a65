package io.pulse.replay;

import java.time.Duration;

/**
 * How many events the replay lets out at each tick. Mutiny's ticks count whole milliseconds: a pause of
 * {@code 1s / events-per-second} was cut to them, so 600/s played at 1,010/s and any rate above 1,000/s failed every
 * request ("Cannot schedule a timer with delay < 1 ms"). Ticks now come every {@link #TICK}, and the n-th lets out
 * what brings the total to {@code events-per-second × n × TICK}, rounded down: the rate is kept exactly, over a
 * second, whatever it is.
 */
final class ReplayPace {

    static final Duration TICK = Duration.ofMillis(10);
    private static final long TICKS_PER_SECOND = Duration.ofSeconds(1).toMillis() / TICK.toMillis();

    private ReplayPace() {
    }

    /** The events due at tick {@code tick} (from 0), at {@code eventsPerSecond}. */
    static long due(long eventsPerSecond, long tick) {
        return letOut(eventsPerSecond, tick + 1) - letOut(eventsPerSecond, tick);
    }

    // At the settings' bound (a billion a second) the product stays in a long for some three years of ticks.
    private static long letOut(long eventsPerSecond, long ticks) {
        return eventsPerSecond * ticks / TICKS_PER_SECOND;
    }
}

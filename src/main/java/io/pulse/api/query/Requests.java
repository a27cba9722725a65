package io.pulse.api.query;

import java.time.Duration;

import io.pulse.store.BotFilter;
import io.pulse.store.Metric;
import io.pulse.store.ReadFilter;
import io.pulse.store.SeriesSplit;

/** Validated requests, as {@link QueryParameters} builds them from the raw parameters. */
public final class Requests {

    public record Top(TimeRange range, String wiki, BotFilter bot, int limit) {
        public ReadFilter filter() {
            return new ReadFilter(range.from(), range.to(), wiki, bot);
        }
    }

    public record Timeseries(TimeRange range, String wiki, BotFilter bot, Metric metric, Duration step,
            SeriesSplit by) {
        public ReadFilter filter() {
            return new ReadFilter(range.from(), range.to(), wiki, bot);
        }

        /** The step as the API writes it, and reads it back: 30s (a window of seconds), 1m, 5m, 1h, 1d. */
        public String stepText() {
            return ParameterParser.format(step);
        }
    }

    public record Activity(String user, TimeRange range, String wiki, BotFilter bot, int limit) {
        public ReadFilter filter() {
            return new ReadFilter(range.from(), range.to(), wiki, bot);
        }
    }

    private Requests() {
    }
}

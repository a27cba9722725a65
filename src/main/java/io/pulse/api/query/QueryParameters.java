package io.pulse.api.query;

import io.pulse.api.problem.ParameterError;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.pulse.store.BotFilter;
import io.pulse.store.Metric;
import io.pulse.store.SeriesQueries;
import io.pulse.store.SeriesSplit;

/**
 * Turns the raw query parameters of each endpoint into a validated request, or throws an
 * {@link io.pulse.api.problem.InvalidParametersException} listing every problem. Pure: everything it
 * depends on (window length, limits, clock) is given, so it is tested without a server.
 */
public final class QueryParameters {

    public static final int TOP_DEFAULT_LIMIT = 10;
    public static final int TOP_MAX_LIMIT = 100;
    public static final int ACTIVITY_DEFAULT_LIMIT = 100;
    public static final int ACTIVITY_MAX_LIMIT = 1000;

    private final Duration window;
    private final Duration maxRange;
    private final int maxPoints;
    private final Clock clock;

    public QueryParameters(Duration window, Duration maxRange, int maxPoints, Clock clock) {
        this.window = window;
        this.maxRange = maxRange;
        this.maxPoints = maxPoints;
        this.clock = clock;
    }

    /**
     * The wiki filter rule of the streams and of {@code /api/alerts}: null when the value is absent, empty
     * (a page's empty filter box: all wikis) or valid, else the error naming {@code wiki}. The other
     * {@code /api} queries refuse an empty one ({@link ParameterParser#wiki}).
     */
    public static ParameterError wikiError(String raw) {
        return raw == null || raw.isEmpty() || ParameterParser.WIKI.matcher(raw).matches() ? null
                : new ParameterError("wiki", ParameterParser.WIKI_RULE);
    }

    /** An ISO-8601 date-time with offset, an unencoded {@code +} read as such; throws DateTimeParseException. */
    public static Instant parseInstant(String raw) {
        return ParameterParser.parseInstant(raw);
    }

    /** An instant every endpoint takes: from 1970 to 9999 (PostgreSQL's timestamps and Java's date-times hold it). */
    public static boolean inRange(Instant t) {
        return !t.isBefore(ParameterParser.EARLIEST) && !t.isAfter(ParameterParser.LATEST);
    }

    public Requests.Top top(String from, String to, String last, String wiki, String bot, String limit) {
        return top(from, to, last, wiki, bot, limit, TOP_DEFAULT_LIMIT);
    }

    /** As {@link #top}, for a breakdown (namespaces, types): every item by default, up to the maximum. */
    public Requests.Top breakdown(String from, String to, String last, String wiki, String bot, String limit) {
        return top(from, to, last, wiki, bot, limit, TOP_MAX_LIMIT);
    }

    private Requests.Top top(String from, String to, String last, String wiki, String bot, String limit, int defaultLimit) {
        ParameterParser p = new ParameterParser();
        var request = new Requests.Top(range(p, from, to, last, window), p.wiki(wiki), bot(p, bot),
                p.limit(limit, defaultLimit, TOP_MAX_LIMIT));
        p.throwIfInvalid();
        return request;
    }

    public Requests.Activity activity(String user, String from, String to, String last, String wiki, String bot,
            String limit) {
        ParameterParser p = new ParameterParser();
        var request = new Requests.Activity(p.user(user), range(p, from, to, last, window), p.wiki(wiki),
                bot(p, bot), p.limit(limit, ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT));
        p.throwIfInvalid();
        return request;
    }

    public Requests.Timeseries timeseries(String from, String to, String last, String wiki, String bot,
            String metric, String step, String by) {
        ParameterParser p = new ParameterParser();
        Metric m = p.choice("metric", metric, Metric.CHANGES, List.of(Metric.values()));
        SeriesSplit split = p.choice("by", by, SeriesSplit.NONE, List.of(SeriesSplit.values())); // none: as answers echo it
        BotFilter bots = bot(p, bot);
        String wikiOrDomain = p.wiki(wiki);
        Duration stepLength = step(p, step);
        // Whole steps: the first and last buckets are complete, like every other.
        TimeRange range = range(p, from, to, last, stepLength == null ? window : stepLength);
        if (stepLength != null && range != null && range.length().dividedBy(stepLength) > maxPoints) {
            p.reject("step", "the range holds more than " + maxPoints + " steps; use a longer step or a shorter range");
        }
        if (bots != BotFilter.INCLUDE && !m.filterableByBot()) {
            p.reject("bot", m.param() + " is not counted apart for bots: use bot=include, or metric=changes");
        }
        if (!SeriesQueries.supports(m, split)) {
            p.reject("by", m.param() + " cannot be split by " + split.param()
                    + " (by=type: changes, bytes_added, bytes_removed; by=bot: changes)");
        }
        p.throwIfInvalid();
        return new Requests.Timeseries(range, wikiOrDomain, bots, m, stepLength, split);
    }

    private TimeRange range(ParameterParser p, String from, String to, String last, Duration alignment) {
        return TimeRange.parse(p, from, to, last, clock.instant(), alignment, maxRange);
    }

    private static BotFilter bot(ParameterParser p, String raw) {
        return p.choice("bot", raw, BotFilter.INCLUDE, List.of(BotFilter.values()));
    }

    /** Default: the window length. Must be a whole number of windows, at most the longest range. */
    private Duration step(ParameterParser p, String raw) {
        if (raw == null) {
            return window;
        }
        Duration step = p.duration("step", raw);
        if (step != null && (step.toMillis() % window.toMillis() != 0 || step.compareTo(maxRange) > 0)) {
            p.reject("step", "step must be a multiple of the " + ParameterParser.format(window)
                    + " window, at most " + ParameterParser.format(maxRange));
            return null;
        }
        return step;
    }
}

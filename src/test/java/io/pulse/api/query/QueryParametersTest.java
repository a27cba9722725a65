package io.pulse.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;
import io.pulse.store.BotFilter;
import io.pulse.store.Metric;
import io.pulse.store.SeriesSplit;

class QueryParametersTest {

    static final Instant NOW = Instant.parse("2026-03-10T12:34:56.789Z");
    final QueryParameters parameters = new QueryParameters(Duration.ofMinutes(1), Duration.ofDays(31), 10_000,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldDefaultToTheLastHourAllWikisBotsIncludedAndTenItems() {
        Requests.Top top = parameters.top(null, null, null, null, null, null);

        assertThat(top.range()).isEqualTo(range("2026-03-10T11:34:00Z", "2026-03-10T12:35:00Z"));
        assertThat(top.wiki()).isNull();
        assertThat(top.bot()).isEqualTo(BotFilter.INCLUDE);
        assertThat(top.limit()).isEqualTo(10);
    }

    @Test
    void shouldListEveryItemOfABreakdownByDefault() {
        // Namespaces and types: a share computed from the first ten of them was wrong.
        assertThat(parameters.breakdown(null, null, null, null, null, null).limit()).isEqualTo(100);
        assertThat(parameters.breakdown(null, null, null, null, null, "3").limit()).isEqualTo(3);
        assertThat(errors(() -> parameters.breakdown(null, null, null, null, null, "101")))
                .extracting(ParameterError::parameter).containsExactly("limit");
    }

    @ParameterizedTest
    @CsvSource({
            "15m, 2026-03-10T12:19:00Z",
            "30m, 2026-03-10T12:04:00Z",
            "1h,  2026-03-10T11:34:00Z",
            "24h, 2026-03-09T12:34:00Z",
            "7d,  2026-03-03T12:34:00Z",
            "31d, 2026-02-07T12:34:00Z" })
    void shouldReadLastAsARangeEndingNowWidenedToWholeWindows(String last, String expectedFrom) {
        TimeRange range = parameters.top(null, null, last, null, null, null).range();

        assertThat(range).isEqualTo(range(expectedFrom, "2026-03-10T12:35:00Z"));
    }

    @Test
    void shouldFloorFromAndCeilToToTheirWindowsAndKeepAlignedBoundsAsTheyAre() {
        assertThat(parameters.top("2026-03-01T10:00:30Z", "2026-03-01T10:05:00.001Z", null, null, null, null).range())
                .isEqualTo(range("2026-03-01T10:00:00Z", "2026-03-01T10:06:00Z"));
        assertThat(parameters.top("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", null, null, null, null).range())
                .isEqualTo(range("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"));
    }

    @Test
    void shouldCeilAnEndPastABoundaryByLessThanAMillisecond() {
        // Its window is the next one: leaving it out gave an empty range [10:05, 10:05) and no data.
        assertThat(parameters.top("2026-03-01T10:05:00Z", "2026-03-01T10:05:00.0005Z", null, null, null, null).range())
                .isEqualTo(range("2026-03-01T10:05:00Z", "2026-03-01T10:06:00Z"));
        assertThat(parameters.top("2026-03-01T10:00:00Z", "2026-03-01T10:04:59.999999999Z", null, null, null, null).range())
                .isEqualTo(range("2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z"));
    }

    @Test
    void shouldAcceptInstantsWithAnyOffset() {
        assertThat(parameters.top("2026-03-01T12:00:00+02:00", "2026-03-01T11:00:00Z", null, null, null, null)
                .range()).isEqualTo(range("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"));
    }

    @Test
    void shouldAcceptWikisByIdOrDomainAndEveryBotFilterAndLimitBounds() {
        assertThat(parameters.top(null, null, null, "enwiki", "exclude", "1").wiki()).isEqualTo("enwiki");
        assertThat(parameters.top(null, null, null, "en.wikipedia.org", "only", "100").bot()).isEqualTo(BotFilter.ONLY);
        assertThat(parameters.top(null, null, null, "zh_min_nan.wiki-x", null, "100").limit()).isEqualTo(100);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit | 0", "limit | 101", "limit | abc", "limit | -1", "limit | 1.5", "limit | 99999999999",
            "bot | yes", "bot | INCLUDE", "bot | ''",
            "wiki | x' OR '1'='1", "wiki | EnWiki", "wiki | en wiki", "wiki | ''", "wiki | enwiki;", "wiki | ünïwiki",
            "last | 15", "last | 15x", "last | 0h", "last | -1h", "last | 1w", "last | 1h30m", "last | 32d", "last | 745h" })
    void shouldRejectAnInvalidValueNamingItsParameter(String parameter, String value) {
        String[] args = new String[6];
        int index = switch (parameter) {
            case "last" -> 2;
            case "wiki" -> 3;
            case "bot" -> 4;
            default -> 5;
        };
        args[index] = value;

        assertThat(errors(() -> parameters.top(args[0], args[1], args[2], args[3], args[4], args[5])))
                .extracting(ParameterError::parameter).containsExactly(parameter);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "2026-03-02T00:00:00Z, 2026-03-01T00:00:00Z, -,  from",
            "2026-03-01T00:00:00Z, 2026-03-01T00:00:00Z, -,  from",
            "2026-03-01T00:00:00Z, -,                    -,  to",
            "-,                    2026-03-01T00:00:00Z, -,  from",
            "2026-03-01T00:00:00Z, 2026-03-01T01:00:00Z, 1h, last",
            "-,                    2026-03-01T01:00:00Z, 1h, last",
            "yesterday,            2026-03-01T00:00:00Z, -,  from",
            "2026-03-01T00:00:00Z, 2026-03-01T25:00:00Z, -,  to",
            "2026-03-01T00:00:00,  2026-03-02T00:00:00Z, -,  from",
            "2026-03-01,           2026-03-02T00:00:00Z, -,  from",
            "+12026-03-01T00:00:00Z, 2026-03-02T00:00:00Z, -, from",
            "2026-01-01T00:00:00Z, 2026-02-01T00:00:01Z, -,  from",
            "9999-12-31T00:00:00Z, 9999-12-31T23:59:30Z, -,  to" })
    void shouldRejectAnInconsistentOrMalformedRange(String from, String to, String last, String parameter) {
        assertThat(errors(() -> parameters.top(from, to, last, null, null, null)))
                .extracting(ParameterError::parameter).containsExactly(parameter);
    }

    @Test
    void shouldAcceptARangeOfExactlyTheMaximumLength() {
        assertThat(parameters.top("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", null, null, null, null).range()
                .length()).isEqualTo(Duration.ofDays(31));
    }

    @Test
    void shouldReportEveryInvalidParameterAtOnce() {
        assertThat(errors(() -> parameters.top("2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z", null, "A", "no", "0")))
                .extracting(ParameterError::parameter).containsExactlyInAnyOrder("from", "wiki", "bot", "limit");
    }

    @Test
    void shouldNeverEchoTheRejectedValue() {
        String attack = "x' OR '1'='1";
        assertThat(errors(() -> parameters.top(attack, attack, null, attack, attack, attack)))
                .allSatisfy(e -> assertThat(e.detail()).doesNotContain(attack));
    }

    @Test
    void shouldAlignATimeseriesOnItsStepAndDefaultToChangesPerWindow() {
        Requests.Timeseries series = parameters.timeseries("2026-03-01T10:07:00Z", "2026-03-01T11:01:00Z", null,
                null, null, null, "1h", null);
        assertThat(series.range()).isEqualTo(range("2026-03-01T10:00:00Z", "2026-03-01T12:00:00Z"));
        assertThat(series.step()).isEqualTo(Duration.ofHours(1));

        Requests.Timeseries defaults = parameters.timeseries(null, null, null, null, null, null, null, null);
        assertThat(defaults.metric()).isEqualTo(Metric.CHANGES);
        assertThat(defaults.step()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.by()).isEqualTo(SeriesSplit.NONE);
    }

    @Test
    void shouldTakeBackWhatItsAnswersEcho() {
        // The answer names the split it made, none included, and the range it covered.
        Requests.Timeseries series = parameters.timeseries("9999-12-31T22:00:00Z", "9999-12-31T23:59:00Z", null,
                null, null, null, null, "none");
        assertThat(series.by()).isEqualTo(SeriesSplit.NONE);
        assertThat(parameters.timeseries(series.range().from().toString(), series.range().to().toString(), null,
                null, null, null, null, series.by().param()).range()).isEqualTo(series.range());
    }

    /** A window of seconds (pulse.aggregate.window=30s): its step was echoed as PT30S, refused when sent back. */
    @Test
    void shouldTakeBackTheStepOfAWindowOfSeconds() {
        QueryParameters seconds = new QueryParameters(Duration.ofSeconds(30), Duration.ofDays(31), 10_000,
                Clock.fixed(NOW, ZoneOffset.UTC));
        Requests.Timeseries series = seconds.timeseries(null, null, "1h", null, null, null, null, null);
        assertThat(series.stepText()).isEqualTo("30s");
        assertThat(seconds.timeseries(null, null, "1h", null, null, null, series.stepText(), null).step())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(seconds.timeseries(null, null, "1h", null, null, null, "90s", null).step()).isEqualTo(Duration.ofSeconds(90));

        QueryParameters ninety = new QueryParameters(Duration.ofSeconds(90), Duration.ofDays(31), 10_000,
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(errors(() -> ninety.timeseries(null, null, "1h", null, null, null, "1m", null)))
                .extracting(ParameterError::detail).singleElement().asString().contains("the 90s window");
    }

    @ParameterizedTest
    @CsvSource({ "changes, type", "bytes_added, type", "bytes_removed, type", "changes, bot" })
    void shouldAcceptTheSupportedSplits(String metric, String by) {
        assertThat(parameters.timeseries(null, null, "1h", null, null, metric, "5m", by).by().param()).isEqualTo(by);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "edits,          -,  -,       -,    metric",
            "changes,        7s, -,       -,    step",
            "changes,        90s, -,      -,    step",
            "changes,        32d, -,      -,    step",
            "changes,        1m, -,       page, by",
            "new_pages,      1m, -,       type, by",
            "distinct_users, 1m, -,       type, by",
            "bytes_added,    1m, -,       bot,  by",
            "bytes_added,    1m, exclude, -,    bot",
            "new_pages,      1m, only,    -,    bot" })
    void shouldRejectAnInvalidTimeseriesRequest(String metric, String step, String bot, String by, String parameter) {
        assertThat(errors(() -> parameters.timeseries(null, null, "1h", null, bot, metric, step, by)))
                .extracting(ParameterError::parameter).containsExactly(parameter);
    }

    @Test
    void shouldRefuseMoreTimeseriesPointsThanTheMaximum() {
        assertThat(errors(() -> parameters.timeseries(null, null, "8d", null, null, null, "1m", null)))
                .extracting(ParameterError::parameter).containsExactly("step");
        assertThat(parameters.timeseries(null, null, "31d", null, null, null, "5m", null).step())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void shouldRequireStepsToBeWholeWindows() {
        QueryParameters fiveMinuteWindows = new QueryParameters(Duration.ofMinutes(5), Duration.ofDays(31), 10_000,
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(errors(() -> fiveMinuteWindows.timeseries(null, null, "1h", null, null, null, "1m", null)))
                .extracting(ParameterError::parameter).containsExactly("step");
        assertThat(fiveMinuteWindows.timeseries(null, null, "1h", null, null, null, "15m", null).step())
                .isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void shouldReadUnderscoresInAUserNameAsSpaces() {
        Requests.Activity activity = parameters.activity("Artix_Kreiger_2", null, null, "1h", null, null, null);
        assertThat(activity.user()).isEqualTo("Artix Kreiger 2");
        assertThat(activity.limit()).isEqualTo(100);
        assertThat(parameters.activity("2601:680:4000:A780:0:0:0:1", null, null, null, null, null, "1000").user())
                .isEqualTo("2601:680:4000:A780:0:0:0:1");
        assertThat(parameters.activity("Ünïcødé 名前", null, null, null, null, null, null).user())
                .isEqualTo("Ünïcødé 名前");
    }

    /**
     * As MediaWiki writes a name: first letter upper case (not Georgian's), runs of spaces (Unicode's too) as one,
     * direction marks dropped, an IPv4 address without leading zeros, an IPv6 address sanitised (upper case, ::
     * expanded, no leading zeros); an imported edit's user (prefix>name) as it is.
     */
    @Test
    void shouldReadAUserNameAsMediaWikiWritesIt() {
        for (String[] asked : new String[][] { { "ss112", "Ss112" }, { "artix__Kreiger  2", "Artix Kreiger 2" },
                { "ünïcødé", "Ünïcødé" }, { "2601:680:4000:a780::1", "2601:680:4000:A780:0:0:0:1" },
                { "2a02:0c7e:38d::0f08", "2A02:C7E:38D:0:0:0:0:F08" }, { "a:b:c", "A:b:c" },
                { "ვიკიპედია", "ვიკიპედია" }, // Georgian stays as written, as MediaWiki keeps it
                { "𐐨ord", "𐐀ord" }, // a letter outside the BMP
                { "imported>someone", "imported>someone" }, { "Old@account", "Old@account" }, { "A=B", "A=B" },
                // Copied from a page: a no-break space, Unicode's other spaces, a direction mark (MediaWiki's title parser).
                { "Artix\u00a0Kreiger\u20032", "Artix Kreiger 2" }, { "\u200eSs112\u200f", "Ss112" },
                { "A\u3000_ B", "A B" }, { "010.001.000.001", "10.1.0.1" }, { "192.168.0.10", "192.168.0.10" },
                { "0.0.0.0", "0.0.0.0" } }) {
            assertThat(parameters.activity(asked[0], null, null, null, null, null, null).user()).as(asked[0])
                    .isEqualTo(asked[1]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "x' OR '1'<'2", "a#b", "a<b", "a[b", "a]b", "a|b", "a{b", "a}b",
            "a\u0000b", "a\nb", "a\u007fb", "", "   ", "___" })
    void shouldRejectUserNamesMediaWikiWouldNotAllow(String user) {
        assertThat(errors(() -> parameters.activity(user, null, null, null, null, null, null)))
                .extracting(ParameterError::parameter).containsExactly("user");
    }

    @Test
    void shouldRejectUserNamesLongerThan255Bytes() {
        assertThat(parameters.activity("u".repeat(255), null, null, null, null, null, null).user()).hasSize(255);
        assertThat(errors(() -> parameters.activity("u".repeat(256), null, null, null, null, null, null)))
                .extracting(ParameterError::parameter).containsExactly("user");
        assertThat(errors(() -> parameters.activity("é".repeat(128), null, null, null, null, null, null)))
                .extracting(ParameterError::parameter).containsExactly("user");
    }

    private static java.util.List<ParameterError> errors(Runnable parse) {
        InvalidParametersException e = catchThrowableOfType(InvalidParametersException.class, parse::run);
        assertThat(e).as("parameters rejected").isNotNull();
        return e.errors();
    }

    private static TimeRange range(String from, String to) {
        return new TimeRange(Instant.parse(from), Instant.parse(to));
    }
}

package io.pulse.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.source.wikimedia.EventLimits;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;
import io.pulse.source.wikimedia.RecentChangeParser;

class BatchAggregatorTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2023-07-29T07:00:00Z").toEpochMilli();
    private static final RecentChangeParser PARSER = new RecentChangeParser(new EventLimits(512 * 1024,
            Duration.ofHours(1), EventLimits.WIKIPEDIA_LAUNCH, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"),
                    ZoneOffset.UTC)));

    private final BatchAggregator aggregator = new BatchAggregator(new WindowSpec(MINUTE, 2 * MINUTE));

    // ---------------------------------------------------------------- progress and skipping

    @Test
    void shouldStartUnknownPartitionsFromTheBeginning() {
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, T0 + 1000), accepted(0, 1, T0 + 5000)),
                Map.of());

        assertEquals(Map.of(0, new PartitionProgress(0, 2, T0 + 5000)), plan.progress());
        assertEquals(2, plan.aggregates().events());
        assertEquals(0, plan.alreadyCounted());
    }

    @Test
    void shouldAdvanceEachPartitionToItsLastOffsetPlusOne() {
        Map<Integer, PartitionProgress> stored = Map.of(
                0, new PartitionProgress(0, 10, T0),
                2, new PartitionProgress(2, 7, T0 + 9 * MINUTE));

        AggregationPlan plan = aggregator.plan(List.of(
                accepted(0, 10, T0 + 1000), accepted(1, 3, T0 + 2000), accepted(0, 11, T0 + 3000)), stored);

        assertEquals(Map.of(
                0, new PartitionProgress(0, 12, T0 + 3000),
                1, new PartitionProgress(1, 4, T0 + 2000),
                2, new PartitionProgress(2, 7, T0 + 9 * MINUTE)), plan.progress(), "partition 2 had no records");
    }

    @Test
    void shouldTrackTheNewestEventTimeRatherThanTheLastOne() {
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, T0 + 5000), accepted(0, 1, T0 + 2000)),
                Map.of(0, new PartitionProgress(0, 0, T0 + 4000)));

        assertEquals(new PartitionProgress(0, 2, T0 + 5000), plan.progress().get(0));
    }

    @Test
    void shouldNotLeaveTheStoredProgressModified() {
        Map<Integer, PartitionProgress> stored = new HashMap<>(Map.of(0, new PartitionProgress(0, 0, T0)));

        aggregator.plan(List.of(accepted(0, 0, T0 + 1000)), stored);

        assertEquals(Map.of(0, new PartitionProgress(0, 0, T0)), stored);
    }

    @Test
    void shouldSkipAndCountRecordsBelowTheStoredOffset() {
        List<ConsumedRecord> records = List.of(accepted(0, 0, T0), accepted(0, 1, T0), accepted(0, 2, T0),
                accepted(0, 3, T0), accepted(1, 0, T0));

        AggregationPlan plan = aggregator.plan(records, Map.of(0, new PartitionProgress(0, 2, T0)));

        assertEquals(2, plan.alreadyCounted());
        assertEquals(3, plan.aggregates().events());
        assertEquals(Set.of("page-0-2", "page-0-3", "page-1-0"), titles(plan));
        assertEquals(4, plan.progress().get(0).nextOffset());
    }

    @Test
    void shouldAddNothingWhenAnAppliedBatchIsDeliveredAgain() {
        List<ConsumedRecord> batch = List.of(accepted(0, 0, T0), rejected(0, 1), accepted(1, 0, T0 + 1000),
                ignored(1, 1));
        AggregationPlan first = aggregator.plan(batch, Map.of());

        AggregationPlan again = aggregator.plan(batch, first.progress());

        assertTrue(again.aggregates().isEmpty());
        assertEquals(List.of(), again.rejected());
        assertEquals(0, again.ignored());
        assertEquals(batch.size(), again.alreadyCounted());
        assertEquals(first.progress(), again.progress());
    }

    @Test
    void shouldCollectRejectedRecordsOnlyWhenFresh() {
        ConsumedRecord old = rejected(0, 4);
        ConsumedRecord fresh = rejected(0, 5);

        AggregationPlan plan = aggregator.plan(List.of(old, fresh), Map.of(0, new PartitionProgress(0, 5, T0)));

        assertEquals(List.of(fresh), plan.rejected());
        assertEquals(1, plan.alreadyCounted());
        assertEquals(new PartitionProgress(0, 6, T0), plan.progress().get(0), "a rejected record is still consumed");
        assertTrue(plan.aggregates().isEmpty());
    }

    @Test
    void shouldCountIgnoredRecordsAndMovePastThem() {
        AggregationPlan plan = aggregator.plan(List.of(ignored(3, 0), ignored(3, 1)), Map.of());

        assertEquals(2, plan.ignored());
        assertEquals(new PartitionProgress(3, 2, Long.MIN_VALUE), plan.progress().get(3));
        assertTrue(plan.aggregates().isEmpty());
    }

    // ---------------------------------------------------------------- lateness

    @Test
    void shouldCountLateEventSeparatelyAndStillAddItToItsWindow() {
        long late = T0 + MINUTE + 5_000; // window [T0+1m, T0+2m), closed once the watermark passes T0+2m
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, late), accepted(0, 1, T0 + 9 * MINUTE)),
                Map.of(0, new PartitionProgress(0, 0, T0 + 10 * MINUTE)));

        Measures lateWindow = plan.aggregates().wikis().get(new WindowKeys.Wiki(T0 + MINUTE, "enwiki"));
        Measures onTimeWindow = plan.aggregates().wikis().get(new WindowKeys.Wiki(T0 + 9 * MINUTE, "enwiki"));
        assertEquals(1, lateWindow.changes(), "late events still count");
        assertEquals(1, lateWindow.lateEvents());
        assertEquals(1, onTimeWindow.changes());
        assertEquals(0, onTimeWindow.lateEvents(), "within the allowed lateness");
        assertEquals(2, plan.aggregates().events());
        assertEquals(1, plan.aggregates().lateEvents());
    }

    @Test
    void shouldJudgeLatenessAgainstEarlierRecordsOfTheSameBatch() {
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, T0 + 10 * MINUTE), accepted(0, 1, T0)),
                Map.of());

        assertEquals(1, plan.aggregates().lateEvents());
    }

    @Test
    void shouldJudgeLatenessPerPartition() {
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, T0 + 10 * MINUTE), accepted(1, 0, T0)),
                Map.of());

        assertEquals(0, plan.aggregates().lateEvents(), "partition 1 has seen nothing newer");
    }

    @Test
    void shouldNotLetRejectedOrIgnoredRecordsMoveEventTime() {
        AggregationPlan plan = aggregator.plan(List.of(rejected(0, 0), ignored(0, 1)),
                Map.of(0, new PartitionProgress(0, 0, T0)));

        assertEquals(new PartitionProgress(0, 2, T0), plan.progress().get(0));
    }

    @Test
    void shouldNotLetAChangeStampedAheadOfItsPublicationMakeTheNextOnesLate() {
        // Published at T0 + 10m, stamped 59 minutes ahead (max-future-skew lets it in), then honest changes.
        long published = T0 + 10 * MINUTE;
        List<ConsumedRecord> batch = new ArrayList<>();
        batch.add(accepted(0, 0, published + 59 * MINUTE, published));
        for (int i = 1; i <= 100; i++) {
            batch.add(accepted(0, i, published + i * 100L, published + i * 100L));
        }

        AggregationPlan plan = aggregator.plan(batch, Map.of());
        Preplan preplan = aggregator.preplan(batch);
        AggregationPlan next = aggregator.plan(List.of(accepted(0, 101, published + 20_000, published + 20_000)),
                aggregator.preplan(List.of(accepted(0, 101, published + 20_000, published + 20_000))), plan.progress());

        assertEquals(0, plan.aggregates().lateEvents(), "the honest changes are on time");
        assertEquals(101, plan.aggregates().events(), "the one ahead is counted too");
        assertEquals(new PartitionProgress(0, 101, published + 10_000), plan.progress().get(0),
                "event time no further than the newest publication");
        assertEquals(0, preplan.plan().aggregates().lateEvents());
        assertEquals(0, next.aggregates().lateEvents(), "nor late in the next batch");
    }

    @Test
    void shouldTakeTheEventTimeAsItIsWithoutAPublicationTime() {
        AggregationPlan plan = aggregator.plan(List.of(accepted(0, 0, T0 + 10 * MINUTE), accepted(0, 1, T0)), Map.of());

        assertEquals(T0 + 10 * MINUTE, plan.progress().get(0).maxEventTimeMs());
        assertEquals(1, plan.aggregates().lateEvents());
    }

    // ---------------------------------------------------------------- folded before the stored progress is read

    @Test
    void shouldTakeThePreplanWhenTheStoredProgressChangesNothing() {
        List<ConsumedRecord> batch = List.of(accepted(0, 5, T0 + 5 * MINUTE), accepted(0, 6, T0 + 6 * MINUTE),
                accepted(1, 0, T0));
        Preplan preplan = aggregator.preplan(batch);

        AggregationPlan plan = aggregator.plan(batch, preplan, Map.of(
                0, new PartitionProgress(0, 5, T0 + 4 * MINUTE),
                2, new PartitionProgress(2, 9, T0)));

        assertSame(preplan.plan().aggregates(), plan.aggregates(), "not folded again");
        assertEquals(Map.of(
                0, new PartitionProgress(0, 7, T0 + 6 * MINUTE),
                1, new PartitionProgress(1, 1, T0),
                2, new PartitionProgress(2, 9, T0)), plan.progress());
        assertEquals(0, plan.alreadyCounted());
    }

    @Test
    void shouldKeepTheStoredEventTimeWhenItIsNewerThanTheBatch() {
        List<ConsumedRecord> batch = List.of(accepted(0, 5, T0 + 5 * MINUTE));
        Preplan preplan = aggregator.preplan(batch);

        AggregationPlan plan = aggregator.plan(batch, preplan, Map.of(0, new PartitionProgress(0, 5, T0 + 6 * MINUTE)));

        assertSame(preplan.plan().aggregates(), plan.aggregates(), "within the allowed lateness: nothing changes");
        assertEquals(new PartitionProgress(0, 6, T0 + 6 * MINUTE), plan.progress().get(0));
    }

    @Test
    void shouldFoldAgainWhenTheStoredEventTimeMakesAChangeLate() {
        List<ConsumedRecord> batch = List.of(accepted(0, 5, T0), accepted(0, 6, T0 + MINUTE));
        Preplan preplan = aggregator.preplan(batch);
        assertEquals(0, preplan.plan().aggregates().lateEvents(), "on time, as far as the batch alone tells");

        AggregationPlan plan = aggregator.plan(batch, preplan, Map.of(0, new PartitionProgress(0, 5, T0 + 10 * MINUTE)));

        assertEquals(2, plan.aggregates().lateEvents());
        assertEquals(new PartitionProgress(0, 7, T0 + 10 * MINUTE), plan.progress().get(0));
    }

    @Test
    void shouldFoldAgainWhenPartOfTheBatchWasCountedBefore() {
        List<ConsumedRecord> batch = List.of(accepted(0, 5, T0), accepted(0, 6, T0), rejected(0, 7));
        Preplan preplan = aggregator.preplan(batch);

        AggregationPlan plan = aggregator.plan(batch, preplan, Map.of(0, new PartitionProgress(0, 6, T0)));

        assertEquals(1, plan.alreadyCounted());
        assertEquals(Set.of("page-0-6"), titles(plan));
        assertEquals(1, plan.rejected().size());
        assertEquals(new PartitionProgress(0, 8, T0), plan.progress().get(0));
    }

    /** Against the plain fold, over random batches of a real recording and random stored progress. */
    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42, 2024 })
    void shouldPlanAheadExactlyAsAgainstTheStoredProgress(long seed) throws IOException {
        List<ConsumedRecord> records = recordsOverPartitions(recording("editgroups-one_qs_batch.jsonl"), 3);
        Random random = new Random(seed);
        int taken = 0;
        int foldedAgain = 0;
        for (int i = 0; i < 300; i++) {
            int from = random.nextInt(records.size());
            List<ConsumedRecord> batch = records.subList(from, Math.min(records.size(), from + 1 + random.nextInt(400)));
            Map<Integer, PartitionProgress> stored = randomProgress(random, batch);

            Preplan preplan = aggregator.preplan(batch);
            AggregationPlan ahead = aggregator.plan(batch, preplan, stored);
            AggregationPlan plain = aggregator.plan(batch, stored);

            Totals expected = new Totals();
            expected.add(plain);
            Totals actual = new Totals();
            actual.add(ahead);
            actual.assertSameAs(expected);
            assertEquals(plain.alreadyCounted(), ahead.alreadyCounted());
            assertEquals(plain.progress(), ahead.progress());
            if (ahead.aggregates() == preplan.plan().aggregates()) {
                taken++;
            } else {
                foldedAgain++;
            }
        }
        assertTrue(taken > 50 && foldedAgain > 50, "both ways exercised: " + taken + " taken, " + foldedAgain + " folded again");
    }

    // ---------------------------------------------------------------- a real recording

    @Test
    void shouldAggregateARecordingLikeAPlainLoop() throws IOException {
        List<String> lines = recording("editgroups-one_qs_batch.jsonl");
        List<ConsumedRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            records.add(new ConsumedRecord(0, i, null, lines.get(i), PARSER.parse(lines.get(i))));
        }
        // No allowed lateness, so that the recording's out-of-order events show up as late.
        AggregationPlan plan = new BatchAggregator(new WindowSpec(MINUTE, 0)).plan(records, Map.of());

        // The same figures, computed naively from the JSON trees.
        Map<Long, List<Long>> expectedPerMinute = new TreeMap<>();
        Map<Long, Set<String>> expectedUsers = new TreeMap<>();
        Map<String, Long> expectedPerType = new TreeMap<>();
        long maxSeen = Long.MIN_VALUE;
        long expectedLate = 0;
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode e = json.readTree(line);
            assertEquals("wikidatawiki", e.get("wiki").asText());
            long t = e.get("timestamp").asLong() * 1000;
            long minute = t - Math.floorMod(t, MINUTE);
            long delta = e.path("length").path("new").asLong(0) - e.path("length").path("old").asLong(0);
            boolean late = maxSeen != Long.MIN_VALUE && minute + MINUTE <= maxSeen;
            maxSeen = Math.max(maxSeen, t);
            List<Long> totals = expectedPerMinute.computeIfAbsent(minute, m -> new ArrayList<>(List.of(0L, 0L, 0L,
                    0L, 0L, 0L)));
            add(totals, 0, 1);
            add(totals, 1, e.path("bot").asBoolean() ? 1 : 0);
            add(totals, 2, delta > 0 ? delta : 0);
            add(totals, 3, delta < 0 ? -delta : 0);
            add(totals, 4, "new".equals(e.get("type").asText()) ? 1 : 0);
            add(totals, 5, late ? 1 : 0);
            expectedLate += late ? 1 : 0;
            expectedUsers.computeIfAbsent(minute, m -> new HashSet<>()).add(e.get("user").asText());
            expectedPerType.merge(minute + "/" + e.get("type").asText(), 1L, Long::sum);
        }

        WindowedAggregates aggregates = plan.aggregates();
        assertEquals(expectedPerMinute, byWindow(aggregates.wikis(), WindowKeys.Wiki::windowStart,
                BatchAggregatorTest::figures));
        Map<Long, Set<String>> users = new TreeMap<>();
        aggregates.users().keySet().forEach(k -> users.computeIfAbsent(k.windowStart(), m -> new HashSet<>())
                .add(k.user()));
        assertEquals(expectedUsers, users, "distinct users per window");
        Map<String, Long> perType = new TreeMap<>();
        aggregates.types().forEach((k, m) -> perType.put(k.windowStart() + "/" + k.type(), m.changes()));
        assertEquals(expectedPerType, perType);
        assertEquals(lines.size(), aggregates.events());
        assertEquals(expectedLate, aggregates.lateEvents());
        assertTrue(expectedLate > 0, "the recording has an out-of-order event");
        assertEquals(Map.of(0, new PartitionProgress(0, lines.size(), maxSeen)), plan.progress());
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42, 2024 })
    void shouldGiveTheSameTotalsWhenRecordsArriveInRandomBatchesWithRedeliveries(long seed) throws IOException {
        List<ConsumedRecord> records = recordsOverPartitions(recording("editgroups-one_qs_batch.jsonl"), 3);
        AggregationPlan whole = aggregator.plan(records, Map.of());

        Random random = new Random(seed);
        Map<Integer, PartitionProgress> progress = Map.of();
        Totals summed = new Totals();
        int next = 0;
        while (next < records.size()) {
            // Sometimes a batch starts before the current position: a redelivery after a crash or rebalance.
            int from = random.nextInt(4) == 0 ? Math.max(0, next - random.nextInt(200)) : next;
            int to = Math.min(records.size(), next + 1 + random.nextInt(400));
            List<ConsumedRecord> batch = records.subList(from, to);
            AggregationPlan plan = aggregator.plan(batch, progress);
            summed.add(plan);
            assertEquals(next - from, plan.alreadyCounted());

            AggregationPlan refed = aggregator.plan(batch, plan.progress());
            assertTrue(refed.aggregates().isEmpty(), "re-feeding an applied batch adds nothing");
            assertEquals(List.of(), refed.rejected());
            assertEquals(batch.size(), refed.alreadyCounted());

            progress = plan.progress();
            next = to;
        }

        Totals expected = new Totals();
        expected.add(whole);
        summed.assertSameAs(expected);
        assertEquals(whole.progress(), progress);
        assertEquals(records.size() - 10 - 5, expected.events, "every accepted record counted once");
        assertEquals(10, expected.rejected.size());
        assertEquals(5, expected.ignored);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Per partition: none stored, or a next offset at, before or after the batch's first record, with
     * no event time, one before the batch's, or one late enough to make some of its changes late.
     */
    private static Map<Integer, PartitionProgress> randomProgress(Random random, List<ConsumedRecord> batch) {
        Map<Integer, PartitionProgress> stored = new HashMap<>();
        for (int partition = 0; partition < 3; partition++) {
            int p = partition;
            List<ConsumedRecord> mine = batch.stream().filter(r -> r.partition() == p).toList();
            long first = mine.isEmpty() ? 0 : mine.get(0).offset();
            long eventTime = mine.stream().filter(r -> r.parsed() instanceof ParseResult.Accepted)
                    .mapToLong(r -> ((ParseResult.Accepted) r.parsed()).change().eventTimeMs()).min().orElse(T0);
            if (random.nextInt(5) == 0) {
                continue;
            }
            long next = switch (random.nextInt(6)) {
                case 0 -> Math.max(0, first - random.nextInt(50));
                case 1 -> first + 1 + random.nextInt(5);
                default -> first;
            };
            long max = switch (random.nextInt(5)) {
                case 0 -> Long.MIN_VALUE;
                case 1 -> eventTime + 3 * MINUTE + random.nextInt(5 * 60_000);
                default -> eventTime - random.nextInt(60_000);
            };
            stored.put(partition, new PartitionProgress(partition, next, max));
        }
        return stored;
    }

    /**
     * The recording as a topic of {@code partitions} partitions keyed like the ingest does, with
     * a few unparseable records and canary events mixed in.
     */
    private static List<ConsumedRecord> recordsOverPartitions(List<String> lines, int partitions) {
        List<String> mixed = new ArrayList<>(lines);
        for (int i = 0; i < 10; i++) {
            mixed.add(37 + i * 331, "{\"not\": \"a recent change\"");
        }
        for (int i = 0; i < 5; i++) {
            mixed.add(100 + i * 700, "{\"meta\":{\"domain\":\"canary\",\"id\":\"c" + i + "\"}}");
        }
        long[] nextOffset = new long[partitions];
        List<ConsumedRecord> records = new ArrayList<>();
        for (String line : mixed) {
            ParseResult parsed = PARSER.parse(line);
            String key = parsed instanceof ParseResult.Accepted a ? a.change().partitionKey() : line;
            int partition = Math.floorMod(key.hashCode(), partitions);
            records.add(new ConsumedRecord(partition, nextOffset[partition]++, key, line, parsed));
        }
        return records;
    }

    /** Measures summed over several plans, as the database's upserts would add them. */
    private static final class Totals {
        final Map<WindowKeys.Wiki, List<Long>> wikis = new HashMap<>();
        final Map<WindowKeys.Type, List<Long>> types = new HashMap<>();
        final Map<WindowKeys.Namespace, List<Long>> namespaces = new HashMap<>();
        final Map<WindowKeys.User, List<Long>> users = new HashMap<>();
        final Map<WindowKeys.Page, List<Long>> pages = new HashMap<>();
        final List<ConsumedRecord> rejected = new ArrayList<>();
        long events;
        long lateEvents;
        long ignored;

        void add(AggregationPlan plan) {
            WindowedAggregates a = plan.aggregates();
            merge(wikis, a.wikis());
            merge(types, a.types());
            merge(namespaces, a.namespaces());
            merge(users, a.users());
            merge(pages, a.pages());
            rejected.addAll(plan.rejected());
            events += a.events();
            lateEvents += a.lateEvents();
            ignored += plan.ignored();
        }

        /** Every measure of every key, the events, late events, rejects and ignored records alike. */
        void assertSameAs(Totals expected) {
            assertEquals(expected.wikis, wikis);
            assertEquals(expected.types, types);
            assertEquals(expected.namespaces, namespaces);
            assertEquals(expected.users, users);
            assertEquals(expected.pages, pages);
            assertEquals(expected.events, events);
            assertEquals(expected.lateEvents, lateEvents);
            assertEquals(expected.rejected, rejected);
            assertEquals(expected.ignored, ignored);
        }

        private static <K> void merge(Map<K, List<Long>> into, Map<K, Measures> from) {
            from.forEach((k, m) -> into.merge(k, figures(m), (x, y) -> {
                List<Long> sum = new ArrayList<>();
                for (int i = 0; i < x.size(); i++) {
                    sum.add(x.get(i) + y.get(i));
                }
                return sum;
            }));
        }
    }

    private static List<Long> figures(Measures m) {
        return List.of(m.changes(), m.botChanges(), m.bytesAdded(), m.bytesRemoved(), m.newPages(), m.lateEvents());
    }

    private static <K> Map<Long, List<Long>> byWindow(Map<K, Measures> measures, Function<K, Long> window,
            Function<Measures, List<Long>> figures) {
        Map<Long, List<Long>> out = new TreeMap<>();
        measures.forEach((k, m) -> assertEquals(null, out.put(window.apply(k), figures.apply(m)), "one wiki"));
        return out;
    }

    private static void add(List<Long> totals, int index, long value) {
        totals.set(index, totals.get(index) + value);
    }

    private static Set<String> titles(AggregationPlan plan) {
        Set<String> titles = new HashSet<>();
        plan.aggregates().pages().keySet().forEach(k -> titles.add(k.title()));
        return titles;
    }

    private static ConsumedRecord accepted(int partition, long offset, long eventTimeMs) {
        return accepted(partition, offset, eventTimeMs, ConsumedRecord.NO_TIMESTAMP);
    }

    private static ConsumedRecord accepted(int partition, long offset, long eventTimeMs, long publishedMs) {
        RecentChange c = new RecentChange("id-" + partition + "-" + offset, "en.wikipedia.org", "enwiki", "edit", 0,
                "page-" + partition + "-" + offset, "someone", false, eventTimeMs, 10, null);
        return new ConsumedRecord(partition, offset, c.partitionKey(), "{}".getBytes(StandardCharsets.UTF_8),
                new ParseResult.Accepted(c), publishedMs);
    }

    private static ConsumedRecord rejected(int partition, long offset) {
        return new ConsumedRecord(partition, offset, null, "not json", new ParseResult.Rejected("malformed JSON"));
    }

    private static ConsumedRecord ignored(int partition, long offset) {
        return new ConsumedRecord(partition, offset, null, "{}", ParseResult.Ignored.CANARY);
    }

    private static List<String> recording(String name) throws IOException {
        try (InputStream in = BatchAggregatorTest.class.getResourceAsStream("/recordings/" + name)) {
            assertNotNull(in, "test resource recordings/" + name);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isEmpty()).toList();
            lines.forEach(l -> assertInstanceOf(ParseResult.Accepted.class, PARSER.parse(l)));
            return lines;
        }
    }
}

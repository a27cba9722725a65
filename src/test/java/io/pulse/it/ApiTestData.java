package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Real recordings for the REST API tests, sent through the real pipeline (Kafka → aggregator →
 * PostgreSQL) once and shared by the API test classes, under wiki ids, domains and event ids of their
 * own, so that other tests' data never mixes in. Two copies are stamped just before now (for
 * last=...), two on a random day of 2011-2016 that no other test uses, straddling an hour boundary
 * (for per-hour questions and for queries without a wiki filter).
 */
final class ApiTestData {

    /** One recording as loaded: where it went, and its events as the tests' own model. */
    record Dataset(String wiki, String domain, List<Expected.Event> events) {
    }

    /** Older data is loaded afresh (new names, new day), so that last=30m always covers the recent copies. */
    private static final Duration FRESH_FOR = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApiTestData loaded;

    /** Unique to this load: part of every wiki id, domain and event id. */
    final String run = Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
    final Instant loadedAt = Instant.now();

    /** recentEnglish: polars-book (enwiki edits); recentWikidata: editgroups (edits, new items, logs, bots). */
    final Dataset recentEnglish;
    final Dataset recentWikidata;
    final Dataset historyEnglish;
    final Dataset historyWikidata;
    /** The hour boundary both history datasets straddle. */
    final Instant historyHour;

    private ApiTestData() {
        long now = loadedAt.getEpochSecond();
        historyHour = Instant.parse("2011-01-01T10:00:00Z").plus(Duration.ofDays(ThreadLocalRandom.current().nextInt(2190)));
        long hour = historyHour.getEpochSecond();
        List<String> english = ExpectedAggregates.readLines("polars-book-wikimedia.ndjson");
        List<String> wikidata = ExpectedAggregates.readLines("editgroups-one_qs_batch.jsonl");
        List<String> lines = new ArrayList<>();
        recentEnglish = rewrite(english, "apien" + run, "en-" + run + ".wikipedia.org", lastAt(english, now - 20), lines);
        recentWikidata = rewrite(wikidata, "apiwd" + run, "wd-" + run + ".wikidata.org", lastAt(wikidata, now - 20), lines);
        historyEnglish = rewrite(english, "apihisten" + run, "hist-en-" + run + ".wikipedia.org",
                firstAt(english, hour - 60), lines);
        historyWikidata = rewrite(wikidata, "apihistwd" + run, "hist-wd-" + run + ".wikidata.org",
                firstAt(wikidata, hour - 150), lines);
        TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
        await().atMost(WikimediaPipelineTest.PATIENCE).untilAsserted(() -> Stream.of(recentEnglish, recentWikidata,
                historyEnglish, historyWikidata).forEach(d -> assertThat(StoredAggregates.scalar(
                        "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", d.wiki()))
                        .as("changes committed for %s", d.wiki()).isEqualTo(d.events().size())));
    }

    static synchronized ApiTestData get() {
        if (loaded == null || loaded.loadedAt.plus(FRESH_FOR).isBefore(Instant.now())) {
            loaded = new ApiTestData();
        }
        return loaded;
    }

    List<Expected.Event> history() {
        return Stream.concat(historyEnglish.events().stream(), historyWikidata.events().stream()).toList();
    }

    /** Renames the wiki and domain, makes meta.id unique to this run, and shifts the timestamps. */
    private static Dataset rewrite(List<String> recording, String wiki, String domain, long shiftSeconds,
            List<String> out) {
        List<Expected.Event> events = new ArrayList<>();
        for (String line : recording) {
            ObjectNode e = (ObjectNode) read(line);
            ObjectNode meta = (ObjectNode) e.get("meta");
            long timestamp = e.get("timestamp").asLong() + shiftSeconds;
            e.put("wiki", wiki).put("timestamp", timestamp);
            meta.put("domain", domain).put("id", meta.get("id").asText() + "-" + wiki)
                    .put("dt", Instant.ofEpochSecond(timestamp).toString());
            out.add(e.toString());
            events.add(Expected.Event.of(e));
        }
        return new Dataset(wiki, domain, events);
    }

    private static long lastAt(List<String> recording, long at) {
        return at - recording.stream().mapToLong(l -> read(l).get("timestamp").asLong()).max().orElseThrow();
    }

    private static long firstAt(List<String> recording, long at) {
        return at - recording.stream().mapToLong(l -> read(l).get("timestamp").asLong()).min().orElseThrow();
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

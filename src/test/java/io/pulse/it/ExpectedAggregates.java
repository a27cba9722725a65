package io.pulse.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The expected contents of the window tables, computed with a plain loop over a recording and
 * Jackson's tree model: independent of Pulse's parser and aggregator.
 */
public final class ExpectedAggregates {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per wiki and window start (epoch seconds): the measures of wiki_edit_counts plus distinct users. */
    public record WikiWindow(long changes, long botChanges, long bytesAdded, long bytesRemoved, long newPages,
            long distinctUsers) {
    }

    public final Map<String, WikiWindow> wikiWindows = new TreeMap<>();
    public final Map<String, Long> userChanges = new TreeMap<>();
    public final Map<String, Long> pageChanges = new TreeMap<>();
    public final Map<String, Long> typeChanges = new TreeMap<>();
    public final Map<String, Long> namespaceChanges = new TreeMap<>();
    public final List<String> eventIds = new ArrayList<>();
    public final List<String> lines;

    private ExpectedAggregates(List<String> lines, long windowSeconds) {
        this.lines = lines;
        Map<String, long[]> wiki = new TreeMap<>();
        Map<String, Set<String>> users = new TreeMap<>();
        for (String line : lines) {
            JsonNode e = read(line);
            eventIds.add(e.get("meta").get("id").asText());
            long window = Math.floorDiv(e.get("timestamp").asLong(), windowSeconds) * windowSeconds;
            String w = e.get("wiki").asText();
            String key = w + "@" + window;
            JsonNode length = e.get("length");
            long oldLen = length != null && length.hasNonNull("old") ? length.get("old").asLong() : 0;
            long newLen = length != null && length.hasNonNull("new") ? length.get("new").asLong() : 0;
            long delta = newLen - oldLen;
            boolean bot = e.path("bot").asBoolean(false);
            long[] m = wiki.computeIfAbsent(key, k -> new long[5]);
            m[0]++;
            m[1] += bot ? 1 : 0;
            m[2] += Math.max(delta, 0);
            m[3] += Math.max(-delta, 0);
            m[4] += "new".equals(e.get("type").asText()) ? 1 : 0;
            String user = e.path("user").asText(null);
            if (user != null) {
                users.computeIfAbsent(key, k -> new HashSet<>()).add(user);
                userChanges.merge(key + "/" + user, 1L, Long::sum);
            }
            pageChanges.merge(key + "/" + e.get("title").asText(), 1L, Long::sum);
            typeChanges.merge(key + "/" + e.get("type").asText(), 1L, Long::sum);
            namespaceChanges.merge(key + "/" + e.path("namespace").asInt(-1), 1L, Long::sum);
        }
        wiki.forEach((key, m) -> wikiWindows.put(key,
                new WikiWindow(m[0], m[1], m[2], m[3], m[4], users.getOrDefault(key, Set.of()).size())));
    }

    public static ExpectedAggregates of(List<String> lines, long windowSeconds) {
        return new ExpectedAggregates(lines, windowSeconds);
    }

    public static ExpectedAggregates ofRecording(String name, long windowSeconds) {
        return new ExpectedAggregates(readLines(name), windowSeconds);
    }

    public static List<String> readLines(String name) {
        try (InputStream in = ExpectedAggregates.class.getResourceAsStream("/recordings/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long totalChanges() {
        return wikiWindows.values().stream().mapToLong(WikiWindow::changes).sum();
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

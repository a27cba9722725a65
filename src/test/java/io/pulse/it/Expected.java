package io.pulse.it;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answers the REST API should give, computed with plain loops over the events of a recording:
 * independent of Pulse's parser, aggregator and queries. Items are maps shaped like the JSON items.
 */
final class Expected {

    static final long WINDOW = 60;

    /** One event as the tests read it (Jackson tree model), nothing shared with Pulse's parser. */
    record Event(String wiki, String domain, String type, int namespace, String title, String user, boolean bot,
            long timestamp, long delta) {

        static Event of(JsonNode e) {
            JsonNode length = e.path("length");
            long oldLength = length.hasNonNull("old") ? length.get("old").asLong() : 0;
            long newLength = length.hasNonNull("new") ? length.get("new").asLong() : 0;
            return new Event(e.get("wiki").asText(), e.get("meta").get("domain").asText(), e.get("type").asText(),
                    e.hasNonNull("namespace") ? e.get("namespace").asInt() : -1, e.get("title").asText(),
                    e.hasNonNull("user") ? e.get("user").asText() : null, e.path("bot").asBoolean(false),
                    e.get("timestamp").asLong(), newLength - oldLength);
        }

        long window() {
            return Math.floorDiv(timestamp, WINDOW) * WINDOW;
        }
    }

    /** Sums of the measures over a group of events. */
    static final class Sums {
        long changes;
        long kept;
        long added;
        long removed;
        long newPages;
        boolean bot;
        int namespace = Integer.MIN_VALUE;

        void add(Event e, boolean keep) {
            changes++;
            kept += keep ? 1 : 0;
            added += Math.max(e.delta(), 0);
            removed += Math.max(-e.delta(), 0);
            newPages += "new".equals(e.type()) ? 1 : 0;
            bot |= e.bot();
            namespace = Math.max(namespace, e.namespace());
        }
    }

    /** Events whose window starts in [from, to). */
    static List<Event> in(List<Event> events, Instant from, Instant to) {
        return events.stream().filter(e -> e.window() >= from.getEpochSecond() && e.window() < to.getEpochSecond())
                .toList();
    }

    static boolean keeps(String bot, boolean isBot) {
        return switch (bot) {
            case "only" -> isBot;
            case "exclude" -> !isBot;
            default -> true;
        };
    }

    /** Users per wiki. The bot filter applies to (window, wiki, user) rows, flagged bot if any event was. */
    static List<Map<String, Object>> topUsers(List<Event> events, String bot, int limit) {
        Map<List<Object>, List<Event>> rows = new LinkedHashMap<>();
        events.stream().filter(e -> e.user() != null)
                .forEach(e -> rows.computeIfAbsent(List.of(e.window(), e.wiki(), e.user()), k -> new ArrayList<>()).add(e));
        Map<List<String>, Sums> users = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        rows.values().stream().filter(row -> keeps(bot, row.stream().anyMatch(Event::bot)))
                .flatMap(List::stream)
                .forEach(e -> users.computeIfAbsent(List.of(e.user(), e.wiki()), k -> new Sums()).add(e, true));
        return ranked(users, limit, (key, s) -> item("user", key.get(0), "wiki", key.get(1), "bot", s.bot,
                "changes", s.changes, "bytes_added", s.added, "bytes_removed", s.removed, "new_pages", s.newPages));
    }

    static List<Map<String, Object>> topPages(List<Event> events, String bot, int limit) {
        return ranked(group(events, e -> List.of(e.title(), e.wiki()), bot), limit, (key, s) -> item("title",
                key.get(0), "wiki", key.get(1), "namespace", s.namespace, "changes", s.kept,
                "bytes_added", unsplit(bot, s.added), "bytes_removed", unsplit(bot, s.removed),
                "new_pages", unsplit(bot, s.newPages)));
    }

    static List<Map<String, Object>> namespaces(List<Event> events, String bot, int limit) {
        Map<List<String>, Sums> groups = group(events, e -> List.of(String.format("%011d", e.namespace() + 1L)), bot);
        return ranked(groups, limit, (key, s) -> item("namespace", s.namespace, "changes", s.kept,
                "bytes_added", unsplit(bot, s.added), "bytes_removed", unsplit(bot, s.removed),
                "new_pages", unsplit(bot, s.newPages)));
    }

    static List<Map<String, Object>> wikis(List<Event> events, Map<String, String> domains, String bot, int limit) {
        return ranked(group(events, e -> List.of(e.wiki()), bot), limit, (key, s) -> item("wiki", key.get(0),
                "domain", domains.get(key.get(0)), "changes", s.kept, "bytes_added", unsplit(bot, s.added),
                "bytes_removed", unsplit(bot, s.removed), "new_pages", unsplit(bot, s.newPages)));
    }

    static List<Map<String, Object>> types(List<Event> events, String bot, int limit) {
        return ranked(group(events, e -> List.of(e.type()), bot), limit, (key, s) -> item("type", key.get(0),
                "changes", s.kept, "bytes_added", unsplit(bot, s.added), "bytes_removed", unsplit(bot, s.removed)));
    }

    /** Per series name, bucket start (epoch seconds) → value; buckets aligned on the epoch. */
    static Map<String, Map<Long, Long>> series(List<Event> events, long stepSeconds, String metric, String by,
            String bot) {
        Map<String, Map<Long, Set<String>>> users = new TreeMap<>();
        Map<String, Map<Long, Long>> out = new TreeMap<>();
        // A user is a bot in a (window, wiki) when any of their events there was flagged bot.
        Set<List<Object>> botRows = new HashSet<>();
        events.stream().filter(Event::bot).forEach(e -> botRows.add(List.of(e.window(), e.wiki(), String.valueOf(e.user()))));
        for (Event e : events) {
            long bucket = Math.floorDiv(e.timestamp(), stepSeconds) * stepSeconds;
            if ("bot".equals(by)) {
                // Every bucket with data has a point in both series, zero or not.
                out.computeIfAbsent("bot", k -> new TreeMap<>()).merge(bucket, e.bot() ? 1L : 0L, Long::sum);
                out.computeIfAbsent("human", k -> new TreeMap<>()).merge(bucket, e.bot() ? 0L : 1L, Long::sum);
                continue;
            }
            String name = "type".equals(by) ? e.type() : "all";
            if ("distinct_users".equals(metric)) {
                if (e.user() != null && keeps(bot, botRows.contains(List.of(e.window(), e.wiki(), e.user())))) {
                    users.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(bucket, k -> new HashSet<>())
                            .add(e.user());
                }
                continue;
            }
            long value = switch (metric) {
                case "bytes_added" -> Math.max(e.delta(), 0);
                case "bytes_removed" -> Math.max(-e.delta(), 0);
                case "new_pages" -> "new".equals(e.type()) ? 1 : 0;
                default -> keeps(bot, e.bot()) ? 1 : 0;
            };
            out.computeIfAbsent(name, k -> new TreeMap<>()).merge(bucket, value, Long::sum);
        }
        users.forEach((name, buckets) -> buckets.forEach((bucket, set) ->
                out.computeIfAbsent(name, k -> new TreeMap<>()).put(bucket, (long) set.size())));
        return out;
    }

    private static Map<List<String>, Sums> group(List<Event> events, Function<Event, List<String>> key, String bot) {
        Map<List<String>, Sums> groups = new TreeMap<>(Expected::compareKeys);
        events.forEach(e -> groups.computeIfAbsent(key.apply(e), k -> new Sums()).add(e, keeps(bot, e.bot())));
        return groups;
    }

    private static int compareKeys(List<String> a, List<String> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Most changes (after the bot filter) first, ties by key; groups left with no change are dropped. */
    private static List<Map<String, Object>> ranked(Map<List<String>, Sums> groups, int limit,
            java.util.function.BiFunction<List<String>, Sums, Map<String, Object>> item) {
        List<Map.Entry<List<String>, Sums>> entries = new ArrayList<>(groups.entrySet());
        entries.removeIf(e -> e.getValue().kept == 0);
        entries.sort(Comparator.comparingLong((Map.Entry<List<String>, Sums> e) -> -e.getValue().kept)); // stable
        return entries.stream().limit(limit).map(e -> item.apply(e.getKey(), e.getValue())).toList();
    }

    private static Long unsplit(String bot, long value) {
        return "include".equals(bot) ? value : null;
    }

    static Map<String, Object> item(Object... keysAndValues) {
        Map<String, Object> item = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            item.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return item;
    }

    private Expected() {
    }
}

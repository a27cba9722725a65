package io.pulse.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.aggregate.AggregateConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Top pages and users over a range of windows, as {@link TopQueries} gives them, without aggregating
 * every row of the range each time: what the live views ask for every few seconds. Each window's own
 * top rows are listed once and kept while the window's total changes stand still; a window that grew
 * is listed again only when the bound needs it. {@link CandidateBound} then names the few keys whose
 * exact totals decide the ranking, read by primary key. When the lists cannot settle it (flat counts:
 * a key listed nowhere could still rank), every row is read as before. Same statements, same order,
 * same answer (bench/README.md, 23). Every read is bounded in time ({@link BoundedReads}).
 */
@ApplicationScoped
public class LiveRankings {

    /** A ranked key: a page's or a user's name within its wiki. */
    record Key(String wiki, String name) {
    }

    private enum Table {
        PAGES(TopStatements.PAGES_IN_WINDOW, TopStatements.PAGES_AMONG),
        USERS(TopStatements.USERS_IN_WINDOW, TopStatements.USERS_AMONG);

        final String inWindow;
        final String among;

        Table(String inWindow, String among) {
            this.inWindow = inWindow;
            this.among = among;
        }
    }

    private record ListKey(Table table, Instant window, String wiki, BotFilter bot, int size) {
    }

    /** A window's top keys as read, the most any other key had, and the window's total changes before the read. */
    private record Listed(Map<Key, Long> counts, long unlistedAtMost, long totalBefore) {
        static final Listed EMPTY = new Listed(Map.of(), 0, 0);
    }

    /** A day of one-minute windows: longer ranges are one-off questions, read in one statement. */
    private static final int MAX_WINDOWS = 1440;

    private final BoundedReads reads;
    private final TopQueries top;
    private final RankingsConfig config;
    private final MeterRegistry registry;
    private final long windowMs;
    private final Cache<ListKey, Listed> lists;

    public LiveRankings(BoundedReads reads, TopQueries top, RankingsConfig config, AggregateConfig aggregate, MeterRegistry registry) {
        this.reads = reads;
        this.top = top;
        this.config = config;
        this.registry = registry;
        this.windowMs = aggregate.window().toMillis();
        this.lists = Caffeine.newBuilder().maximumSize(config.cachedLists()).build();
    }

    public Uni<List<TopItems.Page>> pages(ReadFilter filter, int limit) {
        return rank(Table.PAGES, filter, limit, () -> top.pages(filter, limit), row -> TopQueries.page(filter, row));
    }

    public Uni<List<TopItems.User>> users(ReadFilter filter, int limit) {
        return rank(Table.USERS, filter, limit, () -> top.users(filter, limit), TopQueries::user);
    }

    private <T> Uni<List<T>> rank(Table table, ReadFilter filter, int limit, Supplier<Uni<List<T>>> everyRow,
            Function<Row, T> mapper) {
        List<Instant> windows = windows(filter);
        if (windows.size() < config.minWindows()) { // too few to pay off, or not whole windows, or too many
            return everyRow.get();
        }
        int size = Math.max(config.candidatesPerWindow(), limit);
        Map<Instant, Listed> fresh = new HashMap<>();
        return totals(filter).chain(totals -> settle(table, filter, windows, totals, size, limit, fresh))
                .chain(keys -> {
                    registry.counter("pulse.rankings.answers", "from", keys == null ? "every-row" : "lists").increment();
                    if (keys == null) {
                        return everyRow.get();
                    }
                    return keys.isEmpty() ? Uni.createFrom().item(List.<T>of()) : among(table, filter, windows, keys, limit, mapper);
                });
    }

    /**
     * Lists the windows never listed (or that shrank), then, while the bound is not settled, the one that
     * grew most since its list; null when even fresh lists could not settle it. The lists read here are
     * kept in {@code fresh} for the rest of this ranking: the cache may evict them meanwhile (a range of
     * more windows than it holds, or other feeds' lists), and the loop would list them again forever.
     */
    private Uni<Set<Key>> settle(Table table, ReadFilter filter, List<Instant> windows, Map<Instant, Long> totals,
            int size, int limit, Map<Instant, Listed> fresh) {
        for (Instant w : windows) {
            long total = totals.getOrDefault(w, 0L);
            Listed listed = fresh.getOrDefault(w, lists.getIfPresent(listKey(table, w, filter, size)));
            if (total > 0 && (listed == null || listed.totalBefore() > total)) {
                return list(table, filter, w, total, size, fresh)
                        .chain(() -> settle(table, filter, windows, totals, size, limit, fresh));
            }
        }
        Set<Key> keys = CandidateBound.keysToCheck(bounds(table, filter, windows, totals, size, true, fresh), limit);
        if (keys != null) {
            return Uni.createFrom().item(keys);
        }
        // Were every list fresh, would the bound settle? If not, reading lists again is wasted.
        if (CandidateBound.keysToCheck(bounds(table, filter, windows, totals, size, false, fresh), limit) == null) {
            return Uni.createFrom().nullItem();
        }
        Instant mostGrown = null;
        long most = 0;
        for (Instant w : windows) {
            long grown = totals.getOrDefault(w, 0L) - listed(table, w, filter, size, totals, fresh).totalBefore();
            if (grown > most) {
                most = grown;
                mostGrown = w;
            }
        }
        if (mostGrown == null) {
            return Uni.createFrom().nullItem();
        }
        return list(table, filter, mostGrown, totals.get(mostGrown), size, fresh)
                .chain(() -> settle(table, filter, windows, totals, size, limit, fresh));
    }

    private List<CandidateBound.Window<Key>> bounds(Table table, ReadFilter filter, List<Instant> windows,
            Map<Instant, Long> totals, int size, boolean withGrowth, Map<Instant, Listed> fresh) {
        List<CandidateBound.Window<Key>> out = new ArrayList<>(windows.size());
        for (Instant w : windows) {
            Listed listed = listed(table, w, filter, size, totals, fresh);
            long grown = withGrowth ? totals.getOrDefault(w, 0L) - listed.totalBefore() : 0;
            out.add(new CandidateBound.Window<>(listed.counts(), listed.unlistedAtMost(), grown));
        }
        return out;
    }

    private Listed listed(Table table, Instant window, ReadFilter filter, int size, Map<Instant, Long> totals,
            Map<Instant, Listed> fresh) {
        if (totals.getOrDefault(window, 0L) == 0) {
            return Listed.EMPTY;
        }
        Listed listed = fresh.getOrDefault(window, lists.getIfPresent(listKey(table, window, filter, size)));
        return listed != null ? listed : Listed.EMPTY; // evicted meanwhile: counted as all growth
    }

    /** One window's top rows; the total read before them, so growth is never under-counted. */
    private Uni<Void> list(Table table, ReadFilter filter, Instant window, long totalBefore, int size,
            Map<Instant, Listed> fresh) {
        ReadFilter one = new ReadFilter(window, window.plusMillis(windowMs), filter.wiki(), filter.bot());
        return reads.execute(table.inWindow, one.tuple((long) size)).map(rows -> {
            Map<Key, Long> counts = new HashMap<>(rows.size() * 2);
            long last = 0;
            for (Row row : rows) {
                last = row.getLong(2);
                counts.put(new Key(row.getString(0), row.getString(1)), last);
            }
            registry.counter("pulse.rankings.window.lists").increment();
            Listed listed = new Listed(counts, rows.size() == size ? last : 0, totalBefore);
            fresh.put(window, listed);
            lists.put(listKey(table, window, filter, size), listed);
            return null;
        });
    }

    private <T> Uni<List<T>> among(Table table, ReadFilter filter, List<Instant> windows, Set<Key> keys, int limit,
            Function<Row, T> mapper) {
        OffsetDateTime[] starts = windows.stream().map(ReadFilter::utc).toArray(OffsetDateTime[]::new);
        String[] wikis = new String[keys.size()];
        String[] names = new String[keys.size()];
        int i = 0;
        for (Key key : keys) {
            wikis[i] = key.wiki();
            names[i++] = key.name();
        }
        return reads.execute(table.among, filter.tuple((long) limit, starts, wikis, names))
                .map(rows -> TopQueries.items(rows, mapper));
    }

    private Uni<Map<Instant, Long>> totals(ReadFilter filter) {
        return reads.execute(TopStatements.WINDOW_TOTALS,
                Tuple.of(ReadFilter.utc(filter.from()), ReadFilter.utc(filter.to()), filter.wiki()))
                .map(rows -> {
                    Map<Instant, Long> totals = new HashMap<>();
                    rows.forEach(r -> totals.put(r.getOffsetDateTime(0).toInstant(), r.getLong(1)));
                    return totals;
                });
    }

    /** The window starts in [from, to), or none when the range is not made of whole windows. */
    private List<Instant> windows(ReadFilter filter) {
        long from = filter.from().toEpochMilli();
        long to = filter.to().toEpochMilli();
        if (Math.floorMod(from, windowMs) != 0 || Math.floorMod(to, windowMs) != 0 || to <= from
                || (to - from) / windowMs > MAX_WINDOWS) {
            return List.of();
        }
        List<Instant> out = new ArrayList<>();
        for (long w = from; w < to; w += windowMs) {
            out.add(Instant.ofEpochMilli(w));
        }
        return out;
    }

    private static ListKey listKey(Table table, Instant window, ReadFilter filter, int size) {
        return new ListKey(table, window, filter.wiki() == null ? "" : filter.wiki(), filter.bot(), size);
    }
}

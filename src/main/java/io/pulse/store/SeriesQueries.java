package io.pulse.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

/** Per-step series for charts, bucketed in PostgreSQL with date_bin. */
@ApplicationScoped
public class SeriesQueries {

    private final BoundedReads reads;

    public SeriesQueries(BoundedReads reads) {
        this.reads = reads;
    }

    /** Whether a metric can be split that way (by type: changes and bytes; by bot: changes only). */
    public static boolean supports(Metric metric, SeriesSplit split) {
        return SeriesStatements.BY_METRIC_AND_SPLIT.containsKey(SeriesStatements.key(metric, split));
    }

    /** The series in name order, each with its points in time order; the step is a multiple of the window. */
    public Uni<List<Series>> series(ReadFilter filter, Metric metric, SeriesSplit split, Duration step) {
        String sql = SeriesStatements.BY_METRIC_AND_SPLIT.get(SeriesStatements.key(metric, split));
        if (sql == null) {
            return Uni.createFrom().failure(new IllegalArgumentException(metric + " cannot be split by " + split));
        }
        return reads.execute(sql, filter.tuple(step.toSeconds())).map(rows -> {
            Map<String, List<Series.Point>> byName = new LinkedHashMap<>();
            for (Row row : rows) {
                byName.computeIfAbsent(row.getString(1), name -> new ArrayList<>())
                        .add(new Series.Point(row.getOffsetDateTime(0).toInstant(), row.getLong(2)));
            }
            List<Series> series = new ArrayList<>();
            byName.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> series.add(new Series(e.getKey(), e.getValue())));
            return series;
        });
    }
}

package io.pulse.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.microprofile.config.ConfigProvider;

/** Reads the window tables back over JDBC, keyed like {@link ExpectedAggregates}: {@code wiki@windowEpochSeconds}. */
public final class StoredAggregates {

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    public static Map<String, ExpectedAggregates.WikiWindow> wikiWindows(String wiki) {
        return query("""
                SELECT w.wiki || '@' || extract(epoch FROM w.window_start)::bigint,
                       w.changes, w.bot_changes, w.bytes_added, w.bytes_removed, w.new_pages,
                       coalesce(d.distinct_users, 0)
                FROM wiki_edit_counts w LEFT JOIN wiki_distinct_users d USING (window_start, wiki)
                WHERE w.wiki = ?""", wiki, rs -> new ExpectedAggregates.WikiWindow(rs.getLong(2), rs.getLong(3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)));
    }

    public static Map<String, Long> userChanges(String wiki) {
        return query("SELECT wiki || '@' || extract(epoch FROM window_start)::bigint || '/' || user_name, changes"
                + " FROM user_edit_counts WHERE wiki = ?", wiki, rs -> rs.getLong(2));
    }

    public static Map<String, Long> pageChanges(String wiki) {
        return query("SELECT wiki || '@' || extract(epoch FROM window_start)::bigint || '/' || title, changes"
                + " FROM page_edit_counts WHERE wiki = ?", wiki, rs -> rs.getLong(2));
    }

    public static Map<String, Long> typeChanges(String wiki) {
        return query("SELECT wiki || '@' || extract(epoch FROM window_start)::bigint || '/' || change_type, changes"
                + " FROM type_edit_counts WHERE wiki = ?", wiki, rs -> rs.getLong(2));
    }

    public static Map<String, Long> namespaceChanges(String wiki) {
        return query("SELECT wiki || '@' || extract(epoch FROM window_start)::bigint || '/' || namespace, changes"
                + " FROM namespace_edit_counts WHERE wiki = ?", wiki, rs -> rs.getLong(2));
    }

    /** Rows of a table restricted to the keys of {@code expected}: other tests' windows are ignored. */
    public static <V> Map<String, V> restrictTo(Map<String, V> stored, Map<String, ?> expected) {
        Map<String, V> out = new TreeMap<>();
        stored.forEach((k, v) -> {
            String window = k.contains("/") ? k.substring(0, k.indexOf('/')) : k;
            boolean ours = expected.keySet().stream().anyMatch(e -> e.startsWith(window));
            if (ours) {
                out.put(k, v);
            }
        });
        return out;
    }

    public static long scalar(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(String sql) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of every row. */
    public static List<String> texts(String sql, Object... params) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** A partition's offset row as the aggregator stores it; {@code maxEventTime} null for none yet. */
    public static void storeOffset(String group, String topic, int partition, long nextOffset, java.time.Instant maxEventTime) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("INSERT INTO consumer_offsets"
                + " (consumer_group, topic, kafka_partition, next_offset, max_event_time) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, group);
            s.setString(2, topic);
            s.setInt(3, partition);
            s.setLong(4, nextOffset);
            s.setTimestamp(5, maxEventTime == null ? null : java.sql.Timestamp.from(maxEventTime));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(String sql) {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    interface RowValue<V> {
        V read(ResultSet rs) throws SQLException;
    }

    private static <V> Map<String, V> query(String sql, String wiki, RowValue<V> value) {
        Map<String, V> out = new TreeMap<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, wiki);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), value.read(rs));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private StoredAggregates() {
    }
}

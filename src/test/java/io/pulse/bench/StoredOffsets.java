package io.pulse.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.pulse.testkit.PulseInfra;

/**
 * The sum of a topic's committed offsets in PostgreSQL, polled through one connection for a whole
 * phase. A new connection per poll (ten a second) forked a PostgreSQL backend each time: about 30 ms
 * of CPU apiece, a quarter of a core taken from the drain it measured (bench/README.md, 30).
 */
final class StoredOffsets implements AutoCloseable {

    private final Connection connection;
    private final PreparedStatement sum;

    StoredOffsets(PulseInfra infra, String topic) throws SQLException {
        connection = infra.postgres().connect(infra.database());
        sum = connection.prepareStatement("SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE topic = ?");
        sum.setString(1, topic);
    }

    long sum() throws SQLException {
        try (ResultSet rs = sum.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}

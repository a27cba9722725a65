package io.pulse.aggregate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Per assigned partition, the offset stored in PostgreSQL when the partition was assigned. Everything
 * before it was counted (by this replica before a restart, or by the partition's previous owner) and is
 * read again only to rebuild the alert rules' state ("warm-up"): the aggregator skips it, the alert
 * rules evaluate it without raising. Written on the Kafka polling thread, read on the event loop.
 */
@ApplicationScoped
public class ResumePoints {

    private final Map<Integer, Long> storedAtAssignment = new ConcurrentHashMap<>();

    /** @param stored the stored offset, or null when the partition has none (nothing was counted yet) */
    public void assigned(int partition, Long stored) {
        if (stored == null) {
            storedAtAssignment.remove(partition);
        } else {
            storedAtAssignment.put(partition, stored);
        }
    }

    /** @return true if the record was counted before the partition's assignment */
    public boolean countedBefore(int partition, long offset) {
        Long stored = storedAtAssignment.get(partition);
        return stored != null && offset < stored;
    }
}

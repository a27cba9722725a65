package io.pulse.ingest;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded set of the most recent event ids. Resuming a feed by timestamp (Wikimedia's
 * {@code Last-Event-ID}) re-delivers the events sharing the last timestamp: they are dropped here.
 */
public final class RecentIds {

    private final Map<String, Boolean> ids;

    public RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Remembers every id of {@code published} (the read-back of a resumed run) and {@code capacity} more:
     * sized to hold them all, since the feed re-sends that whole tail first. Held in a set of the usual
     * capacity, a read-back larger than it lost ids at random (a set's order, not the oldest), and their
     * events were published twice.
     */
    public static RecentIds seededWith(Collection<String> published, int capacity) {
        RecentIds ids = new RecentIds(published.size() + capacity);
        ids.rememberAll(published);
        return ids;
    }

    /** @return true when the id had not been seen (and is now remembered) */
    public synchronized boolean firstSighting(String id) {
        return ids.putIfAbsent(id, Boolean.TRUE) == null;
    }

    public synchronized void rememberAll(Collection<String> seen) {
        seen.forEach(id -> ids.put(id, Boolean.TRUE));
    }

    public synchronized int size() {
        return ids.size();
    }
}

package io.pulse.source.wikimedia;

/**
 * One Wikimedia recent change, reduced to what Pulse aggregates. Both schema generations
 * (current {@code $schema} and the 2018 {@code meta.schema_uri}) map onto it.
 *
 * @param eventId     {@code meta.id}, unique per event: the key for de-duplication
 * @param eventTimeMs event time in epoch milliseconds ({@code timestamp}, else {@code meta.dt})
 * @param byteDelta   {@code length.new - length.old}; missing lengths count as 0
 * @param oldLength   {@code length.old}, or null when the event has none (the mass-blanking rule's
 *                    percentage; kept so that the alert rules need not parse the event again)
 */
public record RecentChange(
        String eventId,
        String domain,
        String wiki,
        String type,
        int namespace,
        String title,
        String user,
        boolean bot,
        long eventTimeMs,
        long byteDelta,
        Long oldLength) {

    /** Namespace recorded when an event carries none (e.g. some log events). */
    public static final int NO_NAMESPACE = -1;

    public boolean isNewPage() {
        return "new".equals(type);
    }

    public long bytesAdded() {
        return Math.max(byteDelta, 0);
    }

    public long bytesRemoved() {
        return Math.max(-byteDelta, 0);
    }

    /** Kafka key: one page's changes stay ordered in one partition, and pages spread evenly. */
    public String partitionKey() {
        return partitionKey(wiki, title);
    }

    public static String partitionKey(String wiki, String title) {
        return wiki + ":" + title;
    }
}

package io.pulse.it;

/** Recentchange events for the alert tests, in the current schema. */
final class AlertEvents {

    static String event(String id, String wiki, String title, String user, boolean bot, long timestampSeconds,
            long oldLength, long newLength) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + id
                + "\",\"domain\":\"" + wiki + ".test.org\",\"dt\":\"2024-01-01T00:00:00Z\"},\"type\":\"edit\","
                + "\"namespace\":0,\"title\":\"" + title + "\",\"comment\":\"\",\"timestamp\":" + timestampSeconds
                + ",\"user\":\"" + user + "\",\"bot\":" + bot + ",\"length\":{\"old\":" + oldLength + ",\"new\":"
                + newLength + "},\"wiki\":\"" + wiki + "\"}";
    }

    private AlertEvents() {
    }
}

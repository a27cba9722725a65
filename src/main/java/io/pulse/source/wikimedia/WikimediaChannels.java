package io.pulse.source.wikimedia;

/** Messaging channel names of the Wikimedia pipeline; their topics are set in application.properties. */
public final class WikimediaChannels {

    /** Accepted raw events, ingest → Kafka (topic pulse.wikimedia.recentchange). */
    public static final String EVENTS_OUT = "wikimedia-events-out";
    /** The same topic, read by the aggregator. */
    public static final String EVENTS_IN = "wikimedia-events-in";
    /** Events that could not be accepted, with a reason header (topic pulse.wikimedia.recentchange.dlq). */
    public static final String DEAD_LETTERS = "wikimedia-dead-letters";

    /** The ingest's election: no records, only which consumer holds partition 0 ({@link IngestLeadership}). */
    public static final String INGEST_LEADER = "wikimedia-ingest-leader";

    private WikimediaChannels() {
    }
}

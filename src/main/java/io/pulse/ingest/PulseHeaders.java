package io.pulse.ingest;

/** Kafka headers Pulse puts on the records it writes. */
public final class PulseHeaders {

    /** Why a record was dead-lettered, in words. */
    public static final String REASON = "pulse-dlq-reason";
    /** Which stage dead-lettered it: ingest or aggregate. */
    public static final String STAGE = "pulse-dlq-stage";
    /** The SSE {@code id:} the event arrived with (its resume position upstream). */
    public static final String SSE_ID = "pulse-sse-id";
    /** When the ingest received the event's {@code data:} line, epoch milliseconds: end-to-end latency starts here. */
    public static final String RECEIVED_AT = "pulse-received-at";
    /** The upstream event id ({@code meta.id}). */
    public static final String EVENT_ID = "pulse-event-id";
    /**
     * The feed that published the record (its resume checkpoint's key): the replay and the live feed
     * share the events topic, and a feed's read-back of its own unsaved tail keeps only its own ids.
     */
    public static final String STREAM = "pulse-stream";

    private PulseHeaders() {
    }
}

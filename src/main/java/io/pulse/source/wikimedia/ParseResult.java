package io.pulse.source.wikimedia;

/** Outcome of parsing one raw event: either a change or the reason it was rejected. */
public sealed interface ParseResult {

    record Accepted(RecentChange change) implements ParseResult {
    }

    /**
     * A well-formed event Pulse deliberately ignores: Wikimedia's canary events, and another stream's events (a URL
     * naming several streams). {@code outcome} is its {@code pulse_ingest_events_total} label.
     */
    record Ignored(String reason, String outcome) implements ParseResult {
        public static final Ignored CANARY = new Ignored("canary event", "canary");
    }

    record Rejected(String reason) implements ParseResult {
    }
}

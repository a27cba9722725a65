package io.pulse.source.wikimedia;

/** Outcome of parsing one raw event: either a change or the reason it was rejected. */
public sealed interface ParseResult {

    record Accepted(RecentChange change) implements ParseResult {
    }

    /** A well-formed event Pulse deliberately ignores (Wikimedia's canary events). */
    record Ignored(String reason) implements ParseResult {
    }

    record Rejected(String reason) implements ParseResult {
    }
}

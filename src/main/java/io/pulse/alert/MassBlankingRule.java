package io.pulse.alert;

/**
 * One edit removing at least {@code minBytesRemoved} bytes, or at least {@code minPercentRemoved} % of
 * a page that was at least {@code minOldLength} bytes long (small pages are emptied legitimately).
 */
public record MassBlankingRule(boolean enabled, Severity severity, long cooldownSeconds, long minBytesRemoved,
        double minPercentRemoved, long minOldLength) implements Rule {

    public static final String NAME = "mass-blanking";

    @Override
    public String name() {
        return NAME;
    }

    /** @param oldLength {@code length.old}, or null when the event does not carry it */
    public boolean isBlanking(long bytesRemoved, Long oldLength) {
        if (!enabled || bytesRemoved <= 0) {
            return false;
        }
        return bytesRemoved >= minBytesRemoved
                || oldLength != null && oldLength >= minOldLength && bytesRemoved * 100.0 >= minPercentRemoved * oldLength;
    }
}

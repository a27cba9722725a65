package io.pulse.alert;

/**
 * Changes to one page in one window well above its recent baseline: at least {@code minChanges}
 * and at least {@code factor} × the average of the {@code baselineWindows} windows before it.
 */
public record PageSpikeRule(boolean enabled, Severity severity, long cooldownSeconds, long minChanges,
        double factor, int baselineWindows) implements Rule {

    public static final String NAME = "page-spike";

    @Override
    public String name() {
        return NAME;
    }

    public boolean isSpike(long changes, double baseline) {
        return enabled && changes >= minChanges && changes >= factor * baseline;
    }
}

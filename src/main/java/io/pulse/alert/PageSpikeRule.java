package io.pulse.alert;

/**
 * Changes to one page in one window well above its recent baseline: at least {@code minChanges}
 * and at least {@code factor} × the average of the {@code baselineWindows} windows before it.
 */
public record PageSpikeRule(boolean enabled, Severity severity, long cooldownSeconds, long minChanges,
        double factor, int baselineWindows) implements Rule {

    public static final String NAME = "page-spike";
    /**
     * Each tracked page keeps a count per window (8 bytes each): 60 windows make ~600 bytes a page,
     * 60 MB per partition at the default max-tracked-pages, and the warm-up reads 61 windows of counts.
     */
    public static final int MAX_BASELINE_WINDOWS = 60;

    public PageSpikeRule {
        if (baselineWindows < 0 || baselineWindows > MAX_BASELINE_WINDOWS) {
            throw new IllegalArgumentException("page-spike baseline-windows must be between 0 and "
                    + MAX_BASELINE_WINDOWS + ", not " + baselineWindows);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A NaN baseline (no earlier window known) is no evidence of a spike, unless the factor ignores it. */
    public boolean isSpike(long changes, double baseline) {
        return enabled && changes >= minChanges && (factor == 0 || changes >= factor * baseline);
    }
}

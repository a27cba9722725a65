package io.pulse.alert;

import java.math.BigDecimal;

/** Bot changes on one wiki in one window: at least {@code minBotChanges} and a share of at least {@code minBotShare}. */
public record BotSurgeRule(boolean enabled, Severity severity, long cooldownSeconds, long minBotChanges,
        double minBotShare) implements Rule {

    public static final String NAME = "bot-surge";

    @Override
    public String name() {
        return NAME;
    }

    public boolean isSurge(long changes, long botChanges) {
        return enabled && changes > 0 && botChanges >= minBotChanges
                && BigDecimal.valueOf(botChanges).compareTo(share().multiply(BigDecimal.valueOf(changes))) >= 0;
    }

    /**
     * The share as the decimal it was written as ({@code 0.07}, not the double nearest to it): in doubles
     * {@code 0.07 * 100} is {@code 7.000000000000001}, and a window at exactly the share did not count. The
     * database compares in {@code numeric} with this same value ({@link AlertStore#botSurgeCandidates}).
     */
    public BigDecimal share() {
        return BigDecimal.valueOf(minBotShare);
    }
}

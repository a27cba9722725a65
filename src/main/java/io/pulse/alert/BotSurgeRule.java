package io.pulse.alert;

/** Bot changes on one wiki in one window: at least {@code minBotChanges} and a share of at least {@code minBotShare}. */
public record BotSurgeRule(boolean enabled, Severity severity, long cooldownSeconds, long minBotChanges,
        double minBotShare) implements Rule {

    public static final String NAME = "bot-surge";

    @Override
    public String name() {
        return NAME;
    }

    public boolean isSurge(long changes, long botChanges) {
        return enabled && changes > 0 && botChanges >= minBotChanges && botChanges >= minBotShare * changes;
    }
}

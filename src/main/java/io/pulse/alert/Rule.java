package io.pulse.alert;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What every alert rule has: a fixed name, a switch, a severity and a cool-down. */
public sealed interface Rule permits WatchedUserRule, PageSpikeRule, BotSurgeRule, MassBlankingRule {

    @JsonProperty("name")
    String name();

    boolean enabled();

    Severity severity();

    /** One alert per rule and key per cool-down period (aligned to the epoch, in event time). */
    long cooldownSeconds();
}

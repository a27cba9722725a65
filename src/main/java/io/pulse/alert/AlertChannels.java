package io.pulse.alert;

/** Messaging channels of alerting; topics are set in application.properties. */
public final class AlertChannels {

    /** The events topic (pulse.wikimedia.recentchange), read by the alert consumer group. */
    public static final String EVENTS_IN = "alerts-events-in";
    /** Raised alerts as JSON, keyed by rule (topic pulse.alerts). */
    public static final String ALERTS_OUT = "alerts-out";

    private AlertChannels() {
    }
}

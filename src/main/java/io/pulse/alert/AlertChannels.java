package io.pulse.alert;

/** Messaging channels of alerting; topics are set in application.properties. */
public final class AlertChannels {

    /** Raised alerts as JSON, keyed by rule (topic pulse.alerts). */
    public static final String ALERTS_OUT = "alerts-out";

    private AlertChannels() {
    }
}

package io.pulse.alert;

/** Messaging channels of alerting; topics are set in application.properties. */
public final class AlertChannels {

    /** Raised alerts as JSON, keyed by rule (topic pulse.alerts). */
    public static final String ALERTS_OUT = "alerts-out";

    /** The same topic read back whole by every replica, for /alerts/stream ({@link AlertFeed}). */
    public static final String ALERTS_IN = "alerts-in";

    private AlertChannels() {
    }
}

package io.pulse.alert;

import java.time.Duration;

/** Another change of the same rule held it longer than a change waits: answered 503, to be tried again. */
public final class RuleChangeBusyException extends RuntimeException {

    RuleChangeBusyException(String rule, Duration waited) {
        super("The rule " + rule + " is being changed by another request; waited " + waited.toSeconds() + " s", null,
                false, false);
    }
}

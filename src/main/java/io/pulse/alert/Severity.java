package io.pulse.alert;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** How urgent an alert is; a rule raises all its alerts at its configured severity. Lower-case in JSON. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the severity named (any case), or null */
    public static Severity parse(String text) {
        for (Severity s : values()) {
            if (s.name().equalsIgnoreCase(text)) {
                return s;
            }
        }
        return null;
    }
}

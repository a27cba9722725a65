package io.pulse.alert;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One raised alert. {@code id} is deterministic (rule, key, cool-down period of the incident), so
 * evaluating the same events again, on a restart or on another replica, yields the same id.
 *
 * @param incidentStart start of the cool-down period the incident falls in (the id's time part)
 * @param eventTime     event time of the change (or window start, for bot surges) that raised it
 * @param sequence      storage order, the SSE event id; null until stored
 * @param raisedAt      wall-clock time it was first stored; null until stored
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alert(String id, String rule, Severity severity, String key, String wiki, String title, String user,
        Instant incidentStart, Instant eventTime, String summary, Map<String, Object> details, Long sequence,
        Instant raisedAt) {

    public static Alert raise(Rule rule, String key, long eventTimeMs, String wiki, String title, String user,
            String summary, Map<String, Object> details) {
        long period = Math.max(1, rule.cooldownSeconds()) * 1000;
        Instant incident = Instant.ofEpochMilli(Math.floorDiv(eventTimeMs, period) * period);
        return new Alert(rule.name() + ":" + key + "@" + incident, rule.name(), rule.severity(), key, wiki, title, user,
                incident, Instant.ofEpochMilli(eventTimeMs), summary, Map.copyOf(details), null, null);
    }
}

package io.pulse.aggregate;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code pulse_aggregate_events_total} by outcome, each at 0 from the start: a series that appears only with the
 * first batch cannot be alerted on by its rate, and "no series" reads as "not scraped" on a dashboard.
 */
@Startup
@ApplicationScoped
public class AggregatedEvents {

    private static final String NAME = "pulse.aggregate.events";

    private final Counter counted;
    private final Counter late;
    private final Counter redelivered;
    private final Counter ignored;

    public AggregatedEvents(MeterRegistry registry) {
        this.counted = counter(registry, "counted", "Events counted into their windows and committed");
        this.late = counter(registry, "late",
                "Of the counted events, those behind their partition's watermark (counted, and flagged late per window)");
        this.redelivered = counter(registry, "redelivered", "Events read again that a committed batch had counted");
        // Canaries and other streams' events that another producer wrote to the topic: no changes, no bad input.
        this.ignored = counter(registry, "ignored", "Events of the topic that are not changes to count (canaries)");
    }

    private static Counter counter(MeterRegistry registry, String outcome, String description) {
        return Counter.builder(NAME).tag("outcome", outcome).description(description).register(registry);
    }

    /** A committed plan's events. */
    void committed(AggregationPlan plan) {
        counted.increment(plan.aggregates().events());
        late.increment(plan.aggregates().lateEvents());
        redelivered.increment(plan.alreadyCounted());
        ignored.increment(plan.ignored());
    }
}

package io.pulse.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.schedule.FailureRun;
import io.pulse.schedule.Periodic;
import io.pulse.store.Stopping;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Every check interval: re-reads the stored rules, then evaluates the bot-surge rule on the wiki windows
 * the aggregator committed. A wiki's changes span partitions, so no single consumer sees them all;
 * the committed windows do, on every replica. Every replica checks, and the alert id (wiki, cool-down
 * period) lets exactly one of them insert each surge; it is published at least once (two replicas raising it before
 * either has marked it published both send it: clients de-duplicate by id).
 */
@ApplicationScoped
public class BotSurgeMonitor {

    private static final Logger LOG = Logger.getLogger(BotSurgeMonitor.class);

    private final AlertRules rules;
    private final AlertStore store;
    private final AlertPublisher publisher;
    private final AlertConfig config;
    private final String aggregatorGroup;
    private final FailureRun failures;
    /** Checks run to the end, and failed or given up: whether they run at all shows ({@code pulse_alert_checks_total}). */
    private final Counter checked;
    private final Counter checksFailed;
    private Cancellable ticker;

    public BotSurgeMonitor(AlertRules rules, AlertStore store, AlertPublisher publisher, AlertConfig config,
            @ConfigProperty(name = "mp.messaging.incoming.wikimedia-events-in.group.id") String aggregatorGroup,
            MeterRegistry registry, Stopping stopping) {
        this.rules = rules;
        this.failures = new FailureRun(LOG, "run the alert checks").quietOnce(stopping::begun);
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.aggregatorGroup = aggregatorGroup;
        this.checked = registry.counter("pulse.alert.checks", "outcome", "ok");
        this.checksFailed = registry.counter("pulse.alert.checks", "outcome", "failed");
    }

    void start(@Observes StartupEvent start) {
        ticker = Periodic.every(config.checkInterval(), CHECK_DEADLINE, () -> check().invoke(this::succeeded), this::failed);
    }

    /**
     * A check that never ends (a database frozen, a connection half open) held every later one, rule changes made
     * through other replicas included, until TCP gave up. Longer than a check's sends may take (Kafka's delivery
     * timeout, 2 minutes). Given up, its statements still hold their connections until they end; what it had sent is
     * not marked published, and a later check publishes it again (at least once).
     */
    static final Duration CHECK_DEADLINE = Duration.ofMinutes(3);

    private void failed(Throwable f) {
        checksFailed.increment();
        failures.failed(f);
    }

    private void succeeded(Void ignored) {
        checked.increment();
        failures.succeeded();
    }

    Uni<Void> check() {
        return rules.refresh().chain(() -> {
            BotSurgeRule rule = rules.current().botSurge();
            if (!config.enabled()) {
                return Uni.createFrom().voidItem();
            }
            Uni<List<Alert>> surges = rule.enabled()
                    ? store.botSurgeCandidates(aggregatorGroup, config.botSurgeLookback().toSeconds(), rule)
                            .chain(rows -> publisher.raise(toAlerts(rows, rule)))
                    : Uni.createFrom().item(List.of());
            // A stored alert whose send failed is published when it is raised again; a bot surge whose window no
            // longer qualifies never was, and stayed off the stream and its replays for good. Each claimed one is
            // published apart from the surges and from the others: one Kafka keeps refusing holds back none of them.
            Uni<Void> unpublished = store.claimUnpublished(UNPUBLISHED_IDLE.toSeconds(), UNPUBLISHED_WITHIN.toSeconds(),
                    UNPUBLISHED_PER_CHECK).chain(publisher::publishEach).replaceWithVoid();
            return Uni.combine().all().unis(surges, unpublished).collectFailures().discardItems();
        });
    }

    /**
     * Untried this long (by a raise of it or a claim) before a check claims it: longer than a send may take (Kafka's
     * delivery timeout, 2 minutes), so that one a claim still sends is not claimed again. A raise of it meanwhile
     * (another replica's check, a retried batch) may send it as well: alerts are published at least once.
     */
    static final Duration UNPUBLISHED_IDLE = Duration.ofMinutes(3);
    /** Older unpublished alerts are left alone (the API lists them): not streamed as new after days away. */
    static final Duration UNPUBLISHED_WITHIN = Duration.ofDays(1);
    static final int UNPUBLISHED_PER_CHECK = 100;

    static List<Alert> toAlerts(List<Row> rows, BotSurgeRule rule) {
        List<Alert> alerts = new ArrayList<>(rows.size());
        for (Row row : rows) {
            String wiki = row.getString("wiki");
            long changes = row.getLong("changes");
            long bots = row.getLong("bot_changes");
            if (rule.isSurge(changes, bots)) {
                Instant window = row.getOffsetDateTime("window_start").toInstant();
                alerts.add(Alert.raise(rule, wiki, window.toEpochMilli(), wiki, null, null,
                        bots + " of " + changes + " changes on " + wiki + " by bots in one window",
                        Map.of("changes", changes, "botChanges", bots, "botShare", Math.round(bots * 1000.0 / changes) / 1000.0,
                                "windowStart", window.toString())));
            }
        }
        return alerts;
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.cancel();
        }
    }
}

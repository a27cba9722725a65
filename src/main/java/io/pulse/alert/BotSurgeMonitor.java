package io.pulse.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Every check interval: re-reads the stored rules, then evaluates the bot-surge rule on the wiki windows
 * the aggregator committed. A wiki's changes span partitions, so no single consumer sees them all;
 * the committed windows do, on every replica. Every replica checks, and the alert id (wiki, cool-down
 * period) lets exactly one of them insert and publish each surge.
 */
@ApplicationScoped
public class BotSurgeMonitor {

    private static final Logger LOG = Logger.getLogger(BotSurgeMonitor.class);

    private final AlertRules rules;
    private final AlertStore store;
    private final AlertPublisher publisher;
    private final AlertConfig config;
    private final String aggregatorGroup;
    private Cancellable ticker;

    public BotSurgeMonitor(AlertRules rules, AlertStore store, AlertPublisher publisher, AlertConfig config,
            @ConfigProperty(name = "mp.messaging.incoming.wikimedia-events-in.group.id") String aggregatorGroup) {
        this.rules = rules;
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.aggregatorGroup = aggregatorGroup;
    }

    void start(@Observes StartupEvent start) {
        ticker = Multi.createFrom().ticks().every(config.checkInterval())
                .onOverflow().drop() // a slow database skips checks instead of queueing them
                .onItem().transformToUniAndConcatenate(tick -> check()
                        .onFailure().invoke(f -> LOG.debugf("Alert check failed: %s", f.toString()))
                        .onFailure().recoverWithNull())
                .subscribe().with(ignored -> {
                });
    }

    Uni<Void> check() {
        return rules.refresh().chain(() -> {
            BotSurgeRule rule = rules.current().botSurge();
            if (!config.enabled() || !rule.enabled()) {
                return Uni.createFrom().voidItem();
            }
            return store.botSurgeCandidates(aggregatorGroup, config.botSurgeLookback().toSeconds(), rule)
                    .chain(rows -> publisher.raise(toAlerts(rows, rule))).replaceWithVoid();
        });
    }

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

package io.pulse.api;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.pulse.aggregate.AggregatorStatus;
import io.pulse.source.wikimedia.WikimediaConfig;
import io.pulse.source.wikimedia.WikimediaIngest;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;

/**
 * Readiness of the pipeline. A failing database, a broker away or a reconnecting feed makes Pulse
 * degraded, not down: it keeps serving what is stored and catches up by itself, so it stays in the load
 * balancer. Only a replica whose ingest runs (the one elected to read the feed) is degraded by a lost feed.
 * The Kafka channels' readiness ({@code kafka.ready}) was Quarkus' own readiness check: a broker restart
 * took every replica out of the load balancer, the API and dashboard with them, though they read PostgreSQL.
 */
@Readiness
@ApplicationScoped
public class PipelineHealthCheck implements HealthCheck {

    private final AggregatorStatus aggregator;
    private final WikimediaIngest ingest;
    private final WikimediaConfig wikimedia;
    private final HealthCenter messaging;

    public PipelineHealthCheck(AggregatorStatus aggregator, WikimediaIngest ingest, WikimediaConfig wikimedia,
            HealthCenter messaging) {
        this.aggregator = aggregator;
        this.ingest = ingest;
        this.wikimedia = wikimedia;
        this.messaging = messaging;
    }

    @Override
    public HealthCheckResponse call() {
        boolean reads = ingest.running();
        Duration stalledAfter = wikimedia.ingest().stalledAfter(); // 0: not watched
        boolean stalled = !stalledAfter.isZero() && !stalledAfter.isNegative() && ingest.stalledFor().compareTo(stalledAfter) >= 0;
        boolean ingestDegraded = reads && (!ingest.connected() || stalled);
        HealthReport kafka = messaging.getReadiness();
        var builder = HealthCheckResponse.named("pulse-pipeline").up()
                .withData("degraded", aggregator.degraded() || ingestDegraded || !kafka.isOk())
                .withData("kafka.ready", kafka.isOk())
                .withData("aggregator.consecutiveFailures", aggregator.consecutiveFailures())
                .withData("aggregator.committedEvents", aggregator.committedEvents())
                .withData("ingest.enabled", wikimedia.enabled())
                .withData("ingest.leader", reads)
                .withData("ingest.connected", ingest.connected())
                .withData("ingest.stalled", stalled)
                .withData("ingest.reconnects", ingest.reconnects());
        if (aggregator.lastErrorKind() != null && aggregator.degraded()) {
            builder.withData("aggregator.lastErrorKind", aggregator.lastErrorKind()); // the message is in the log
        }
        if (aggregator.firstReceivedAt() != null) {
            builder.withData("aggregator.firstEventReceivedAt", aggregator.firstReceivedAt().toString());
        }
        if (aggregator.lastCommit() != null) {
            builder.withData("aggregator.lastCommitAt", aggregator.lastCommit().toString());
        }
        if (ingest.position() != null) {
            builder.withData("ingest.position", ingest.position());
        }
        return withFailedChannels(builder, kafka).build();
    }

    /** Each channel that is not OK, with what its connector says of it (as Quarkus' messaging checks said). */
    static HealthCheckResponseBuilder withFailedChannels(HealthCheckResponseBuilder builder, HealthReport report) {
        for (HealthReport.ChannelInfo channel : report.getChannels()) {
            if (!channel.isOk()) {
                builder.withData("kafka." + channel.getChannel(), channel.getMessage() == null ? "not OK" : channel.getMessage());
            }
        }
        return builder;
    }
}

package io.pulse.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;

/**
 * Liveness of the Kafka channels, as Quarkus' own messaging check gave it: a channel that failed for good
 * (not a broker away) is a dead pipeline, and a restart is its cure. Quarkus' checks are off
 * (quarkus.messaging.health.enabled) because their readiness half took every replica out of the load
 * balancer while the broker was away: {@link PipelineHealthCheck} reports that as degraded instead.
 */
@Liveness
@ApplicationScoped
public class MessagingLivenessCheck implements HealthCheck {

    private final HealthCenter health;

    public MessagingLivenessCheck(HealthCenter health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        HealthReport live = health.getLiveness();
        return PipelineHealthCheck.withFailedChannels(HealthCheckResponse.named("pulse-messaging").status(live.isOk()), live)
                .build();
    }
}

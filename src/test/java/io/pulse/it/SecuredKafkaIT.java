package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalKafka;

/**
 * A broker that wants SASL credentials, as managed Kafka does: every Kafka client of Pulse's (the
 * channels, and its own for the topic check, the ingest's read-back of what it published, the lag
 * figures and the re-reads) reaches it with the {@code KAFKA_*} settings given in the environment. Before,
 * the ingest's read-back connected with the broker addresses alone, was refused, and retried forever:
 * nothing was ever published.
 */
class SecuredKafkaIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    @Test
    void shouldIngestAndCountThroughABrokerThatWantsCredentialsAcrossARestart() throws Exception {
        FaultFixture.infra();
        FaultFixture.forgetIngestPosition();
        String wiki = "securedkafkawiki";
        String topic = "pulse.faults.secured";
        List<String> events = FaultFixture.events(wiki, 600, 47);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (LocalKafka kafka = LocalKafka.throwaway()
                // The client listener asks for SASL/PLAIN; the broker's own clients log in as admin.
                .brokerConfig("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .brokerConfig("sasl.enabled.mechanisms", "PLAIN")
                .brokerConfig("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .brokerConfig("listener.name.plaintext.plain.sasl.jaas.config", JAAS
                        + " username=\"admin\" password=\"admin-secret\""
                        + " user_admin=\"admin-secret\" user_pulse=\"pulse-secret\";")
                .start();
                TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = FaultFixture.ingesting("secured-kafka", feed, topic, "secured-kafka-group")
                        .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                        .env("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                        .env("KAFKA_SASL_MECHANISM", "PLAIN")
                        .env("KAFKA_SASL_JAAS_CONFIG", JAAS + " username=\"pulse\" password=\"pulse-secret\";")) {
            pulse.start().awaitReady(PATIENCE);
            feed.append(events.subList(0, 300));
            FaultFixture.awaitCounted(wiki, 300);

            // The restart reads back what was published after the saved position: through SASL too.
            assertThat(pulse.terminate()).isIn(0, 143);
            pulse.start().awaitReady(PATIENCE);
            feed.append(events.subList(300, events.size()));
            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(pulse.logText()).contains("Wikimedia ingest resuming after");
            assertThat(pulse.errorLines()).isEmpty();
        }
    }
}

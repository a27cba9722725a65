package io.pulse.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** Where an ingest source resumes: the last SSE id all of whose predecessors reached Kafka. */
@Entity
@Table(name = "ingest_checkpoints")
@DynamicUpdate
public class IngestCheckpoint extends PanacheEntityBase {

    @Id
    public String source;

    @Column(name = "last_event_id")
    public String lastEventId;

    /** Per partition, the offset after the last record covered by {@link #lastEventId}: "0:1234,1:987". */
    @Column(name = "kafka_positions")
    public String kafkaPositions;

    /**
     * Per partition, the topic's end when the source's runs began publishing ("0:1234,1:987"): written by
     * {@link IngestCheckpointStore#startRun} alone (this entity's updates leave it alone: dynamic update).
     */
    @Column(name = "run_start_positions")
    public String runStartPositions;

    @Column(name = "updated_at")
    public Instant updatedAt;
}

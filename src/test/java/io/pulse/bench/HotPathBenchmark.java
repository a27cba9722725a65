package io.pulse.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.pulse.aggregate.BatchAggregator;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.aggregate.WindowSpec;
import io.pulse.source.wikimedia.EventLimits;
import io.pulse.source.wikimedia.RecentChangeParser;

/**
 * The aggregator's CPU hot path on one core: parse a poll's raw events, assign windows, fold them
 * into per-window aggregates. Score is events/s per core (ops = events).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    static final int BATCH = 2000;

    private final RecentChangeParser parser = new RecentChangeParser(EventLimits.defaults());
    private final BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
    private List<String> text;
    /** As the aggregator reads them off Kafka: UTF-8 bytes. */
    private List<byte[]> raw;

    @Setup
    public void generate() {
        text = new ArrayList<>(BATCH);
        new EventGenerator(7, EventGenerator.wholeMinutesBefore(3600), 1000).generate(BATCH, e -> text.add(e.json()));
        raw = text.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object parseWindowAndAggregateABatch() {
        List<ConsumedRecord> records = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            records.add(new ConsumedRecord(0, i, null, raw.get(i), parser.parse(raw.get(i))));
        }
        return aggregator.plan(records, java.util.Map.of(0, PartitionProgress.fresh(0)));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object parseOnly() {
        Object last = null;
        for (int i = 0; i < BATCH; i++) {
            last = parser.parse(raw.get(i));
        }
        return last;
    }

    /** The ingest's entry point: the SSE client has the event as text. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object parseOnlyFromText() {
        Object last = null;
        for (int i = 0; i < BATCH; i++) {
            last = parser.parse(text.get(i));
        }
        return last;
    }
}

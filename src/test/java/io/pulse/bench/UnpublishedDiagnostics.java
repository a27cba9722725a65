package io.pulse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import io.pulse.testkit.Commands;

/**
 * What to look at when events are still not readable in Kafka (read-committed) a minute after the load stopped:
 * seen once at 10,000/s (bench/README.md, 64), 6,355 events, and not since, with nothing in the service's log.
 * Written when it happens, before the service is stopped:
 * <ul>
 * <li>the topic's ends, read-uncommitted and read-committed: records in Kafka that a transaction still holds back,
 * or records that never reached Kafka;</li>
 * <li>the broker's open transactions (a commit that never completes holds every record after the transaction's
 * first from a read-committed reader);</li>
 * <li>the service's own view: its health (ingest position, stall, reconnects) and its ingest metrics;</li>
 * <li>where the events sit in its heap (a class histogram: decoded events, Kafka records or network buffers);</li>
 * <li>its threads (where its sending thread or its SSE reader waits) and its sockets' queues (bytes it has not
 * read, or not sent).</li>
 * </ul>
 */
final class UnpublishedDiagnostics {

    /** Histogram rows named here are kept wherever they rank: where an event can wait on its way to Kafka. */
    static final Pattern EVENT_HOLDERS = Pattern.compile(
            "io\\.pulse|ProducerRecord|ProducerBatch|MemoryRecordsBuilder|netty\\.buffer|vertx\\.core\\.buffer");
    private static final int HISTOGRAM_TOP = 30;

    private UnpublishedDiagnostics() {
    }

    /** What the service answers at a path ({@code /q/health}, {@code /q/metrics}): the body, or why there is none. */
    @FunctionalInterface
    interface Service {
        String get(String path) throws Exception;
    }

    static void write(Path file, long servicePid, Service service, String bootstrapServers, String topic)
            throws IOException {
        StringBuilder out = new StringBuilder();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            out.append("== the topic's ends (read-uncommitted / read-committed)\n").append(ends(admin, topic));
            out.append("\n== the broker's transactions\n").append(transactions(admin));
        }
        out.append("\n== the service's health\n").append(get(service, "/q/health")).append('\n');
        out.append("\n== the service's ingest metrics\n").append(get(service, "/q/metrics").lines()
                .filter(l -> l.startsWith("pulse_ingest") || l.startsWith("pulse_wikimedia"))
                .collect(Collectors.joining("\n"))).append('\n');
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        out.append("\n== the service's heap (jcmd ").append(servicePid).append(" GC.class_histogram: the top ")
                .append(HISTOGRAM_TOP).append(" and what matches ").append(EVENT_HOLDERS).append(")\n")
                .append(histogram(run(List.of(jcmd, Long.toString(servicePid), "GC.class_histogram"))));
        out.append("\n== the service's threads (jcmd ").append(servicePid).append(" Thread.print)\n")
                .append(run(List.of(jcmd, Long.toString(servicePid), "Thread.print")));
        out.append("\n== sockets (ss -tnpi)\n").append(run(List.of("ss", "-tnpi")));
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    /** Per partition: the end a read-uncommitted reader sees, the one a read-committed reader sees (the LSO). */
    private static String ends(Admin admin, String topic) {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> uncommitted = ends(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, Long> committed = ends(admin, partitions, IsolationLevel.READ_COMMITTED);
            StringBuilder out = new StringBuilder();
            for (TopicPartition tp : partitions) {
                long held = uncommitted.get(tp) - committed.get(tp);
                out.append(tp).append(": ").append(uncommitted.get(tp)).append(" / ").append(committed.get(tp))
                        .append(held > 0 ? " (" + held + " offsets held back by a transaction)" : " (none held back)")
                        .append('\n');
            }
            return out.toString();
        } catch (Exception e) {
            return "not read: " + e + "\n";
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<TopicPartition> partitions, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static String transactions(Admin admin) {
        try {
            StringBuilder out = new StringBuilder();
            List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId).toList();
            admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS)
                    .forEach((id, description) -> out.append(id).append(": ").append(description).append('\n'));
            return ids.isEmpty() ? "none\n" : out.toString();
        } catch (Exception e) {
            return "not read: " + e + "\n";
        }
    }

    /** The histogram's header and top rows, and every lower row of a class that can hold an event. */
    static String histogram(String histogram) {
        List<String> lines = histogram.lines().toList();
        int header = 3; // the pid line, the column names and the rule
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i < header + HISTOGRAM_TOP || EVENT_HOLDERS.matcher(lines.get(i)).find()
                    || lines.get(i).startsWith("Total")) {
                out.append(lines.get(i)).append('\n');
            }
        }
        return out.toString();
    }

    private static String get(Service service, String path) {
        try {
            return service.get(path);
        } catch (Exception e) {
            return "not read: " + e;
        }
    }

    private static String run(List<String> command) {
        try {
            return Commands.run(command, Duration.ofSeconds(30)).output();
        } catch (UncheckedIOException e) { // ss not installed, say
            return "not run: " + e.getCause() + "\n";
        }
    }
}

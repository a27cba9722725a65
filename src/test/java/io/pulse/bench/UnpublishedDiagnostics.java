package io.pulse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;

import io.pulse.testkit.Commands;

/**
 * What to look at when events are still not readable in Kafka (read-committed) a minute after the load stopped:
 * seen once at 10,000/s (bench/README.md, 64), 6,355 events, and not since, with nothing in the service's log.
 * Written when it happens, before the service is stopped: the broker's open transactions (a commit that never
 * completes holds every record after the transaction's first from a read-committed reader), the service's threads
 * (where its sending thread or its SSE reader waits) and its sockets' queues (bytes it has not read, or not sent).
 */
final class UnpublishedDiagnostics {

    private UnpublishedDiagnostics() {
    }

    static void write(Path file, long servicePid, String bootstrapServers) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("== the broker's transactions\n").append(transactions(bootstrapServers));
        out.append("\n== the service's threads (jcmd ").append(servicePid).append(" Thread.print)\n")
                .append(run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(servicePid), "Thread.print")));
        out.append("\n== sockets (ss -tnpi)\n").append(run(List.of("ss", "-tnpi")));
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    private static String transactions(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
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

    private static String run(List<String> command) {
        try {
            return Commands.run(command, Duration.ofSeconds(30)).output();
        } catch (UncheckedIOException e) { // ss not installed, say
            return "not run: " + e.getCause() + "\n";
        }
    }
}

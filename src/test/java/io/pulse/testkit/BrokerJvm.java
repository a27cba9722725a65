package io.pulse.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Kafka broker in a JVM of its own, as in production: its collections and its JIT are its
 * own, not shared with the process that drives the load. The benchmark's harness hosted the broker, and
 * its G1 concurrent cycles stopped the broker mid-measurement (bench/README.md, 46).
 *
 * <p>The child writes its port to a file once the broker is up, and exits when its standard input
 * closes: it dies with the JVM that started it, even one killed by SIGKILL.
 */
final class BrokerJvm {

    private BrokerJvm() {
    }

    /** Starts the child JVM with {@code jvmOptions}, its output in {@code log}; returns once the broker serves. */
    static LocalKafka start(List<String> jvmOptions, Path log) {
        Path portFile = Dirs.newTempDir("pulse-broker-jvm-").resolve("port");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerJvm.class.getName(), portFile.toString()));
        Process process;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the broker's JVM", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "pulse-broker-jvm-shutdown"));
        String[] written;
        try {
            await("the broker's JVM ready (log: " + log + ")").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("the broker's JVM exited, log: " + log, () -> !process.isAlive())
                    .until(() -> Files.exists(portFile));
            written = readString(portFile).split("\n");
        } finally {
            Dirs.deleteRecursively(portFile.getParent());
        }
        Runnable refuse = () -> {
            throw new UnsupportedOperationException("The broker in its own JVM does not stop or restart on demand");
        };
        return LocalKafka.attach(Map.of("logDir", written[1], "port", Integer.parseInt(written[0]),
                "pid", process.pid(), "start", (Runnable) () -> { }, "stop", refuse));
    }

    /** SIGTERM: the child's shutdown hook stops the broker and deletes its data. */
    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The child: args[0] is the file that receives the port and the data directory once the broker serves. */
    public static void main(String[] args) throws Exception {
        LocalStack.useConsoleLogging();
        LocalKafka kafka = LocalKafka.throwaway();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "pulse-broker-shutdown"));
        kafka.start();
        LocalStack.writeAtomically(Path.of(args[0]),
                kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1) + "\n" + kafka.logDir() + "\n");
        System.out.println("Broker in its own JVM: " + kafka.bootstrapServers() + ", data in " + kafka.logDir());
        while (System.in.read() >= 0) {
            // The parent never writes: end of input means it has gone.
        }
        System.exit(0); // Runs the shutdown hook.
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

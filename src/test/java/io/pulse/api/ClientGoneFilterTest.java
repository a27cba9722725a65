package io.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

class ClientGoneFilterTest {

    private final ClientGoneFilter filter = new ClientGoneFilter();

    private static LogRecord record(String logger, Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, "Exception in SSE server handling, impossible to send it to client");
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }

    @Test
    void shouldKeepOutTheWebLayersErrorForAWriteToAClientThatIsGone() {
        String sse = ClientGoneFilter.SSE_HANDLER;
        assertThat(filter.isLoggable(record(sse, new ClosedChannelException()))).as("let go by Pulse").isFalse();
        assertThat(filter.isLoggable(record(sse, new CompletionException(new IOException("Broken pipe"))))).isFalse();
        assertThat(filter.isLoggable(record(sse, new IOException("Connection reset by peer")))).isFalse();
    }

    @Test
    void shouldLogEveryOtherFailure() {
        String sse = ClientGoneFilter.SSE_HANDLER;
        assertThat(filter.isLoggable(record(sse, new IllegalStateException("cannot serialize")))).isTrue();
        assertThat(filter.isLoggable(record(sse, new IOException("No space left on device")))).isTrue();
        assertThat(filter.isLoggable(record(sse, null))).isTrue();
        assertThat(filter.isLoggable(record("io.pulse.alert.AlertHub", new ClosedChannelException()))).as("another logger")
                .isTrue();
    }

    @Test
    void shouldFilterTheConsole() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        assertThat(properties.getProperty("quarkus.log.console.filter")).isEqualTo("sse-client-gone");
    }
}

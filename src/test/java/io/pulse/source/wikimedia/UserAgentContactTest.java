package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Reading Wikimedia with the project's contact in the User-Agent is warned about; a local replay is not. */
class UserAgentContactTest {

    static final String DEFAULT_AGENT = "Pulse/1.0 " + WikimediaIngest.PROJECT_CONTACT + " Vert.x-HttpClient/4";

    @Test
    void shouldWarnWhenTheLiveFeedIsToldTheProjectsContact() {
        assertThat(WikimediaIngest.unidentified(URI.create("https://stream.wikimedia.org/v2/stream/recentchange"),
                DEFAULT_AGENT)).hasValueSatisfying(w -> assertThat(w).contains("PULSE_CONTACT", "stream.wikimedia.org"));
        assertThat(WikimediaIngest.unidentified(URI.create("https://stream.wikimedia.org/v2/stream/recentchange"),
                "Pulse/1.0 (ops@example.org) Vert.x-HttpClient/4")).isEmpty();
        assertThat(WikimediaIngest.unidentified(URI.create("http://localhost:8080/replay/wikimedia/recentchange"),
                DEFAULT_AGENT)).as("the bundled replay").isEmpty();
        assertThat(WikimediaIngest.unidentified(URI.create("http://127.0.0.1:9000/v2/stream/recentchange"),
                DEFAULT_AGENT)).isEmpty();
    }

    @Test
    void shouldKnowTheContactApplicationPropertiesFallsBackTo() throws Exception {
        Properties p = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            p.load(in);
        }
        String contact = WikimediaIngest.PROJECT_CONTACT.substring(1, WikimediaIngest.PROJECT_CONTACT.length() - 1);
        assertThat(p.getProperty("pulse.contact")).isEqualTo("${PULSE_CONTACT:" + contact + "}");
        assertThat(p.getProperty("pulse.wikimedia.user-agent")).contains("(${pulse.contact})");
    }
}

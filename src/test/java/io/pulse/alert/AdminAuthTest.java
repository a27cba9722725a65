package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.Test;

class AdminAuthTest {

    static final String PATH = "/api/alerts/rules/page-spike";

    /** A secret mounted from a file (Kubernetes --from-file) ends with a newline: no key matched it. */
    @Test
    void shouldAdmitTheKeyOfASecretThatEndsWithANewline() {
        AdminAuth auth = new AdminAuth(Optional.of("s3cret\n"));
        assertThatCode(() -> auth.check("s3cret", null, PATH)).doesNotThrowAnyException();
        assertThatCode(() -> auth.check(null, "Bearer s3cret", PATH)).doesNotThrowAnyException();
        assertThatThrownBy(() -> auth.check("s3cret\nx", null, PATH)).isInstanceOf(WebApplicationException.class);
    }

    /** A blank X-API-Key (a client template with the header left empty) hid a valid Bearer token. */
    @Test
    void shouldReadTheBearerTokenWhenTheApiKeyHeaderIsBlank() {
        AdminAuth auth = new AdminAuth(Optional.of("s3cret"));
        assertThatCode(() -> auth.check("", "Bearer s3cret", PATH)).doesNotThrowAnyException();
        assertThatThrownBy(() -> auth.check("wrong", "Bearer s3cret", PATH)).as("a key given is the one checked")
                .isInstanceOf(WebApplicationException.class);
    }

    @Test
    void shouldAdmitNoCallWithoutAConfiguredKey() {
        for (Optional<String> none : java.util.List.of(Optional.<String> empty(), Optional.of(" \n"))) {
            AdminAuth auth = new AdminAuth(none);
            assertThatThrownBy(() -> auth.check("", "Bearer ", PATH)).isInstanceOf(WebApplicationException.class);
            assertThatThrownBy(() -> auth.check(" ", null, PATH)).isInstanceOf(WebApplicationException.class);
        }
    }
}

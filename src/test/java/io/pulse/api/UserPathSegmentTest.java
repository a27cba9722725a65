package io.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserPathSegmentTest {

    /** The framework's value ("decoded") lost what follows a raw ";": A;B was user A. */
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "/api/users/A;B/activity | A | A;B",
            "/api/users/A;B=c/activity | A | A;B=c",
            "/api/users/Caf%C3%A9;x/activity | Café | Café;x",
            "/api/users/a+b;c/activity | a+b | a+b;c",
            "/api/users/A%3BB/activity | A;B | A;B",
            "/api/users/A_B/activity | A_B | A_B",
            "/api/users/%zz;x/activity | %zz | %zz",
            "/root/api/users/A;B/activity | A | A;B" })
    void shouldReadTheUserAsTheClientWroteIt(String rawPath, String decoded, String user) {
        assertThat(UserPathSegment.user(rawPath, decoded)).isEqualTo(user);
    }
}

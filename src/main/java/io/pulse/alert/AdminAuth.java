package io.pulse.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import io.pulse.api.problem.Problem;

/**
 * Admin calls carry the key of env PULSE_ADMIN_API_KEY in {@code X-API-Key} (or as
 * {@code Authorization: Bearer}). Without a configured key no call is admitted: 401 for everyone.
 */
@ApplicationScoped
public class AdminAuth {

    private final Optional<byte[]> key;

    @Inject
    public AdminAuth(AlertConfig config) {
        this(config.adminApiKey());
    }

    /**
     * The key without surrounding white space: a secret mounted from a file usually ends with a newline,
     * and no request could match it.
     */
    AdminAuth(Optional<String> key) {
        this.key = key.map(String::strip).filter(k -> !k.isEmpty()).map(k -> k.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws WebApplicationException 401 with a problem body unless the request carries the key */
    public void check(String apiKey, String authorization, String path) {
        // An empty X-API-Key (a client template with the header left blank) does not hide a Bearer token.
        String presented = apiKey != null && !apiKey.isBlank() ? apiKey.strip()
                : authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? authorization.substring(7).strip() : null;
        boolean ok = key.isPresent() && presented != null
                && MessageDigest.isEqual(key.get(), presented.getBytes(StandardCharsets.UTF_8)); // constant time
        if (!ok) {
            String detail = key.isEmpty() ? "The admin API is disabled: no admin key is configured"
                    : "A valid admin key is required in the X-API-Key header";
            throw new WebApplicationException(Response.status(401).type(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", "Bearer realm=\"pulse-admin\"")
                    .entity(Problem.ofStatus(401, "Unauthorized", detail, path)).build());
        }
    }
}

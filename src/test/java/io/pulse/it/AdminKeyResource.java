package io.pulse.it;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives the test application a random admin key (as PULSE_ADMIN_API_KEY would): no key is in the repository. */
public class AdminKeyResource implements QuarkusTestResourceLifecycleManager {

    static final String KEY = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    @Override
    public Map<String, String> start() {
        return Map.of("pulse.alert.admin-api-key", KEY);
    }

    @Override
    public void stop() {
        // nothing to release
    }
}

package io.pulse.aggregate;

import java.util.ArrayList;
import java.util.List;

/** A failure and its causes, outermost first: Mutiny and Vert.x wrap what PostgreSQL answered. */
public final class Causes {

    private Causes() {
    }

    public static List<Throwable> of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>(4);
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** Whether the failure or one of its causes is a {@code type}. */
    public static boolean any(Throwable failure, Class<? extends Throwable> type) {
        return of(failure).stream().anyMatch(type::isInstance);
    }
}

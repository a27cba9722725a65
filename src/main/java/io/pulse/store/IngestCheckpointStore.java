package io.pulse.store;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/** Persists ingest resume positions. Callable from any thread (ingest runs off the request context). */
@ApplicationScoped
public class IngestCheckpointStore {

    public Uni<Optional<String>> load(String source) {
        return onVertxContext(() -> find(source));
    }

    public Uni<Void> save(String source, String lastEventId) {
        return onVertxContext(() -> upsert(source, lastEventId));
    }

    @WithSession
    Uni<Optional<String>> find(String source) {
        return IngestCheckpoint.<IngestCheckpoint> findById(source)
                .map(c -> Optional.ofNullable(c == null ? null : c.lastEventId));
    }

    @WithTransaction
    Uni<Void> upsert(String source, String lastEventId) {
        return IngestCheckpoint.<IngestCheckpoint> findById(source).chain(existing -> {
            IngestCheckpoint c = existing != null ? existing : new IngestCheckpoint();
            c.source = source;
            c.lastEventId = lastEventId;
            c.updatedAt = Instant.now();
            return c.<IngestCheckpoint> persist();
        }).replaceWithVoid();
    }

    /** Hibernate Reactive needs a Vert.x context of its own; ingest callbacks may come from any thread. */
    private static <T> Uni<T> onVertxContext(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> VertxContextSupport.subscribe(() -> work.get().toMulti(),
                subscribe -> subscribe.with(emitter::complete, emitter::fail, () -> emitter.complete(null))));
    }
}

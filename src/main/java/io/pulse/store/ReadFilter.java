package io.pulse.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What every read selects on: windows starting in [from, to), an optional wiki (id or domain), and
 * bots. Its values are always the statements' first four bind parameters, $1 to $4.
 */
public record ReadFilter(Instant from, Instant to, String wiki, BotFilter bot) {

    /** $1..$4, then the statement's own parameters from $5 on. */
    Tuple tuple(Object... more) {
        List<Object> values = new ArrayList<>();
        values.add(utc(from));
        values.add(utc(to));
        values.add(wiki);
        values.add(bot.param());
        values.addAll(Arrays.asList(more));
        return Tuple.tuple(values);
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

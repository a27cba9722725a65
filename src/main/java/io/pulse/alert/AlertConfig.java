package io.pulse.alert;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Alerting ({@code pulse.alert.*}): the rules' start-up values and the machinery around them. */
@ConfigMapping(prefix = "pulse.alert")
public interface AlertConfig {

    /** Evaluate rules at all (the consumer and the bot-surge check). */
    @WithDefault("true")
    boolean enabled();

    /** Key for the admin endpoint ({@code X-API-Key}); from env PULSE_ADMIN_API_KEY. Unset: every admin call gets 401. */
    Optional<String> adminApiKey();

    /** How often the bot-surge rule reads the committed wiki windows, and rules changed by other replicas. */
    @WithDefault("5s")
    Duration checkInterval();

    /** Bot-surge windows considered: those starting this long before the newest aggregated event time. */
    @WithDefault("10m")
    Duration botSurgeLookback();

    /**
     * Pages whose recent counts the spike rule keeps per assigned partition, the least recently changed
     * forgotten first. About 120 + 8 × (baseline-windows + 1) bytes each (~200 at the default 10): the heap must
     * hold partitions × pages of them.
     */
    @WithDefault("100000")
    int maxTrackedPages();

    /** Alerts buffered per /alerts/stream subscriber; beyond it the oldest are dropped. */
    @WithDefault("256")
    int streamBuffer();

    /**
     * A {@code heartbeat} event this often on /alerts/stream: a stream with no alert for minutes is otherwise silent,
     * proxies and load balancers close idle connections (often after 60 s), and a page cannot tell a quiet stream
     * from a dead one.
     */
    @WithDefault("15s")
    Duration streamHeartbeat();

    /**
     * An /alerts/stream subscriber that has taken no event (alert or heartbeat) for this long while one waited for
     * it stopped reading, or vanished: its connection is closed and its place freed. Timed from the first heartbeat
     * found waiting (a heartbeat after its last take), and judged at each heartbeat.
     * Known once the kernel's send buffer is full: heartbeats alone take many minutes to fill it, so a client that
     * vanished while no alert is raised holds its place until TCP gives up.
     */
    @WithDefault("60s")
    Duration streamStalledAfter();

    /** Concurrent /alerts/stream subscribers before 503. */
    @WithDefault("1000")
    int maxSubscribers();

    WatchedUser watchedUser();

    PageSpike pageSpike();

    BotSurge botSurge();

    MassBlanking massBlanking();

    interface WatchedUser {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("warning")
        Severity severity();

        @WithDefault("10m")
        Duration cooldown();

        /** User names; read as MediaWiki spells them (example_user is Example user). */
        Optional<List<String>> users();

        /** Only these wikis (id or domain); empty = all. */
        Optional<List<String>> wikis();
    }

    interface PageSpike {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("warning")
        Severity severity();

        @WithDefault("10m")
        Duration cooldown();

        @WithDefault("20")
        long minChanges();

        @WithDefault("5")
        double factor();

        @WithDefault("10")
        int baselineWindows();
    }

    interface BotSurge {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("info")
        Severity severity();

        @WithDefault("10m")
        Duration cooldown();

        @WithDefault("30")
        long minBotChanges();

        @WithDefault("0.9")
        double minBotShare();
    }

    interface MassBlanking {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("critical")
        Severity severity();

        @WithDefault("10m")
        Duration cooldown();

        @WithDefault("5000")
        long minBytesRemoved();

        @WithDefault("90")
        double minPercentRemoved();

        @WithDefault("500")
        long minOldLength();
    }
}

package io.pulse.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.GaussianSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Deterministic, realistic recentchange events: Zipf-skewed users and titles, ~900 wikis skewed to
 * Wikidata, Commons and English Wikipedia, ~15% bot changes, both schema generations, and a few
 * late (beyond the allowed lateness) and malformed events. The same seed gives the same events.
 */
public final class EventGenerator {

    public record Event(String key, String json, boolean malformed, boolean late, long eventTimeMs) {
    }

    private static final String[] TYPES = { "edit", "new", "log", "categorize" };
    private static final double[] TYPE_CDF = { 0.80, 0.84, 0.92, 1.0 };
    private static final int[] NAMESPACES = { 1, 2, 3, 4, 6, 10, 14 };
    private static final int OTHER_WIKIS = 897;

    private final UniformRandomProvider rng;
    private final DiscreteSampler users;
    private final DiscreteSampler titles;
    private final DiscreteSampler wikis;
    private final ContinuousSampler lengthChange;
    private final long startMs;
    private final double eventsPerSecond;
    private final String idPrefix;

    /**
     * A start {@code seconds} before the current minute began: the events then fall into windows the same way in
     * every run (a start mid-minute moved every window cut, and the rows the database writes with them).
     */
    public static long wholeMinutesBefore(long seconds) {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(seconds).toEpochMilli();
    }

    /**
     * @param eventsPerSecond event-time density: how many events share one second of event time
     */
    public EventGenerator(long seed, long startMs, double eventsPerSecond) {
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        this.users = RejectionInversionZipfSampler.of(rng, 100_000, 1.1);
        this.titles = RejectionInversionZipfSampler.of(rng, 500_000, 1.0);
        this.wikis = RejectionInversionZipfSampler.of(rng, OTHER_WIKIS, 1.0);
        this.lengthChange = GaussianSampler.of(ZigguratSampler.NormalizedGaussian.of(rng), 0, 400);
        this.startMs = startMs;
        this.eventsPerSecond = eventsPerSecond;
        this.idPrefix = Long.toHexString(seed);
    }

    public void generate(long count, Consumer<Event> sink) {
        for (long i = 0; i < count; i++) {
            sink.accept(next(i));
        }
    }

    Event next(long i) {
        String wiki;
        String domain;
        double w = rng.nextDouble();
        if (w < 0.30) {
            wiki = "wikidatawiki";
            domain = "www.wikidata.org";
        } else if (w < 0.48) {
            wiki = "commonswiki";
            domain = "commons.wikimedia.org";
        } else if (w < 0.60) {
            wiki = "enwiki";
            domain = "en.wikipedia.org";
        } else {
            int n = wikis.sample();
            wiki = "w" + n + "wiki";
            domain = "w" + n + ".wikipedia.org";
        }
        int userRank = users.sample();
        boolean bot = userRank % 8 == 2; // ~15% of the changes: the Zipf weight of these ranks
        String user = (bot ? "Bot" : "User") + userRank;
        String title = "Page_" + titles.sample();
        double t = rng.nextDouble();
        int typeIndex = 0;
        while (t > TYPE_CDF[typeIndex]) {
            typeIndex++;
        }
        String type = TYPES[typeIndex];
        int namespace = rng.nextDouble() < 0.8 ? 0 : NAMESPACES[rng.nextInt(NAMESPACES.length)];
        long eventTimeMs = startMs + (long) (i * 1000 / eventsPerSecond);
        boolean late = rng.nextDouble() < 0.005;
        if (late) {
            eventTimeMs -= 180_000; // three minutes back: beyond the default two minutes of lateness
        }
        long oldLength = 500 + rng.nextInt(60_000);
        long newLength = Math.max(0, oldLength + (long) lengthChange.sample());
        boolean oldSchema = rng.nextDouble() < 0.3;
        String id = idPrefix + "-" + i;
        String key = wiki + ":" + title;

        double m = rng.nextDouble();
        if (m < 0.001) {
            String bad = switch ((int) (i % 3)) {
                case 0 -> "not json at all " + id;
                case 1 -> "{\"meta\":{\"id\":\"" + id + "\",\"domain\":\"" + domain + "\"},\"type\":\"edit\"}";
                default -> json(id, domain, wiki, type, namespace, title, user, bot, eventTimeMs, oldLength, newLength,
                        oldSchema).replace("\"bot\":" + bot, "\"bot\":\"" + bot + "\"");
            };
            return new Event(key, bad, true, false, eventTimeMs);
        }
        return new Event(key, json(id, domain, wiki, type, namespace, title, user, bot, eventTimeMs, oldLength,
                newLength, oldSchema), false, late, eventTimeMs);
    }

    private static String json(String id, String domain, String wiki, String type, int namespace, String title,
            String user, boolean bot, long eventTimeMs, long oldLength, long newLength, boolean oldSchema) {
        long seconds = eventTimeMs / 1000;
        String dt = java.time.Instant.ofEpochSecond(seconds).toString();
        StringBuilder b = new StringBuilder(700);
        b.append('{');
        if (!oldSchema) {
            b.append("\"$schema\":\"/mediawiki/recentchange/1.0.0\",");
        }
        b.append("\"meta\":{\"uri\":\"https://").append(domain).append("/wiki/").append(title)
                .append("\",\"request_id\":\"").append(id).append("-r\",\"id\":\"").append(id)
                .append("\",\"dt\":\"").append(oldSchema ? dt.replace("Z", "+00:00") : dt)
                .append("\",\"domain\":\"").append(domain).append('"');
        b.append(oldSchema ? ",\"schema_uri\":\"mediawiki/recentchange/1\"" : ",\"stream\":\"mediawiki.recentchange\"");
        b.append(",\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0},");
        b.append("\"id\":").append(seconds).append(",\"type\":\"").append(type).append("\",\"namespace\":")
                .append(namespace).append(",\"title\":\"").append(title).append("\",\"comment\":\"/* wbeditentity-update */ generated change\",")
                .append("\"timestamp\":").append(seconds).append(",\"user\":\"").append(user).append("\",\"bot\":")
                .append(bot).append(",\"minor\":false,");
        if (!"log".equals(type)) {
            b.append("\"length\":{");
            if (!"new".equals(type)) {
                b.append("\"old\":").append(oldLength).append(',');
            }
            b.append("\"new\":").append(newLength).append("},\"revision\":{\"new\":").append(seconds * 3)
                    .append(",\"old\":").append(seconds * 3 - 1).append("},");
        }
        b.append("\"server_url\":\"https://").append(domain).append("\",\"server_name\":\"").append(domain)
                .append("\",\"server_script_path\":\"/w\",\"wiki\":\"").append(wiki)
                .append("\",\"parsedcomment\":\"<span dir=\\\"auto\\\">generated</span> change\"}");
        return b.toString();
    }
}

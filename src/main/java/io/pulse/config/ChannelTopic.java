package io.pulse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;

/**
 * A topic as one Kafka channel of {@code application.properties} uses it. {@code batchSize} is the
 * producer's {@code batch.size} for an outgoing channel, empty for an incoming one.
 */
public record ChannelTopic(String channel, String topic, OptionalInt batchSize) {

    /** Kafka's default {@code batch.size}. */
    static final int DEFAULT_BATCH_SIZE = 16_384;
    private static final Pattern TOPIC = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.topic");

    /** The enabled Kafka channels' topics, as the configuration sets them. */
    public static List<ChannelTopic> of(Config config) {
        List<ChannelTopic> out = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            Matcher m = TOPIC.matcher(name);
            if (!m.matches()) {
                continue;
            }
            String prefix = "mp.messaging." + m.group(1) + "." + m.group(2) + ".";
            // Kafka is the only connector here, so a channel that names none is attached to it.
            boolean kafka = config.getOptionalValue(prefix + "connector", String.class).orElse("smallrye-kafka")
                    .equals("smallrye-kafka");
            if (!kafka || !config.getOptionalValue(prefix + "enabled", Boolean.class).orElse(true)) {
                continue;
            }
            OptionalInt batchSize = m.group(1).equals("outgoing")
                    ? OptionalInt.of(config.getOptionalValue(prefix + "batch.size", Integer.class).orElse(DEFAULT_BATCH_SIZE))
                    : OptionalInt.empty();
            out.add(new ChannelTopic(m.group(2), config.getValue(name, String.class), batchSize));
        }
        return out;
    }
}

package io.pulse.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import jakarta.ws.rs.sse.OutboundSseEvent;

import org.jboss.resteasy.reactive.server.jaxrs.SseImpl;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.ConfigMappings;

class ReplayPaceTest {

    /** Every second of ticks lets out the rate exactly, none of it lost to whole milliseconds (600/s played 1,010/s). */
    @Test
    void shouldLetOutTheRateEverySecond() {
        long ticksPerSecond = Duration.ofSeconds(1).dividedBy(ReplayPace.TICK);
        for (long rate : new long[] { 1, 3, 7, 600, 1000, 2000, 33_333, ReplaySettings.MAX_EVENTS_PER_SECOND }) {
            for (long second = 0; second < 3; second++) {
                long first = second * ticksPerSecond;
                assertThat(LongStream.range(first, first + ticksPerSecond).map(t -> ReplayPace.due(rate, t)).sum())
                        .as(rate + "/s, second " + second).isEqualTo(rate);
            }
            assertThat(LongStream.range(0, ticksPerSecond).map(t -> ReplayPace.due(rate, t))).as(rate + "/s")
                    .allMatch(due -> due >= 0 && due <= rate / ticksPerSecond + 1);
        }
    }

    /** Above 1,000/s every request failed: "Cannot schedule a timer with delay < 1 ms" (found by a review). */
    @Test
    void shouldPlayTheRecordingFasterThanAThousandASecond() {
        ReplayConfig config = ConfigMappings.of(ReplayConfig.class, Map.of("pulse.replay.enabled", "true",
                "pulse.replay.events-per-second", "2000"));
        ReplaySettings.check(config);

        List<OutboundSseEvent> played = new ReplayResource(config).recentchange(null, new SseImpl())
                .select().first(100).collect().asList().await().atMost(Duration.ofSeconds(30));

        assertThat(played).extracting(OutboundSseEvent::getId)
                .containsExactlyElementsOf(LongStream.range(0, 100).mapToObj(Recording::eventId).toList());
    }
}

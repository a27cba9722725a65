package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** A refused EventStreams id resumes from its oldest timestamp, which ?since= takes. */
class ResumeByTimeTest {

    static final URI URL = URI.create("https://stream.wikimedia.org/v2/stream/recentchange");

    @Test
    void shouldResumeFromTheOldestTimestampOfTheRefusedId() {
        String id = "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764930000500},"
                + "{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764930000000}]";

        assertThat(new ResumeByTime().resumeWithout(URL, id))
                .isEqualTo(URI.create(URL + "?since=1764930000000"));
        assertThat(new ResumeByTime().resumeWithout(URI.create(URL + "?x=1"), id))
                .isEqualTo(URI.create(URL + "?x=1&since=1764930000000"));
    }

    /** A partition that delivers nothing keeps an old time (the other datacentre's, weeks ago): passed over. */
    @Test
    void shouldPassOverTheTimestampOfAnIdlePartition() {
        String id = "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764930000500},"
                + "{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1762000000000},"
                + "{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":1,\"timestamp\":1764929000000}]";

        assertThat(new ResumeByTime().resumeWithout(URL, id)).isEqualTo(URI.create(URL + "?since=1764929000000"));
    }

    @Test
    void shouldResumeFromNowWhenTheIdHoldsNoTimestamp() {
        for (String unreadable : new String[] { "not json", "[]", "[{\"topic\":\"t\",\"offset\":5}]", "{\"a\":1}" }) {
            assertThat(new ResumeByTime().resumeWithout(URL, unreadable)).as(unreadable).isEqualTo(URL);
        }
    }
}

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

    /** A since= in the configured URL (a backfill) gave "since=...&since=...", one EventStreams may refuse for good. */
    @Test
    void shouldReplaceASinceOfTheConfiguredUrl() {
        String id = "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764930000500}]";

        assertThat(new ResumeByTime().resumeWithout(URI.create(URL + "?since=2025-01-01T00:00:00Z&x=1"), id))
                .isEqualTo(URI.create(URL + "?x=1&since=1764930000500"));
        assertThat(new ResumeByTime().resumeWithout(URI.create(URL + "#recent"), id)).as("the query before a fragment")
                .isEqualTo(URI.create(URL + "?since=1764930000500#recent"));
    }

    /**
     * A partition that delivers nothing keeps an old time (the other datacentre's, weeks ago): passed over; so is one
     * more than 10 minutes older than the newest (the events sent again would outnumber the ids the de-duplication
     * holds: counted twice).
     */
    @Test
    void shouldPassOverTheTimestampOfAnIdlePartition() {
        String id = "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764930000500},"
                + "{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1762000000000},"
                + "{\"topic\":\"codfw.mediawiki.recentchange\",\"partition\":1,\"timestamp\":1764929000000},"
                + "{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":1,\"timestamp\":1764929500500}]";

        assertThat(new ResumeByTime().resumeWithout(URL, id)).isEqualTo(URI.create(URL + "?since=1764929500500"));
    }

    @Test
    void shouldResumeFromNowWhenTheIdHoldsNoTimestamp() {
        for (String unreadable : new String[] { "not json", "[]", "[{\"topic\":\"t\",\"offset\":5}]", "{\"a\":1}" }) {
            assertThat(new ResumeByTime().resumeWithout(URL, unreadable)).as(unreadable).isEqualTo(URL);
        }
    }
}

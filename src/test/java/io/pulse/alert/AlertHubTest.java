package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.pulse.store.ReadTimedOutException;
import io.pulse.store.ReadsBusyException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;

class AlertHubTest {

    static Alert alert(int n) {
        return new Alert("id-" + n, "watched-user", Severity.INFO, "k", "enwiki", "T", "U", null, null, "s", Map.of(),
                (long) n, null);
    }

    @Test
    void shouldDropTheOldestAlertsOfASlowSubscriberWithoutBlockingThePublisher() {
        AlertHub hub = new AlertHub(10, 3);
        AssertSubscriber<Alert> slow = hub.subscribe().subscribe().withSubscriber(AssertSubscriber.create(1));
        AssertSubscriber<Alert> fast = hub.subscribe().subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        for (int n = 1; n <= 10; n++) {
            hub.publish(alert(n)); // returns at once although the slow subscriber requested only one
        }
        assertThat(fast.getItems()).extracting(Alert::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(slow.getItems()).extracting(Alert::sequence).containsExactly(1L);
        slow.request(10);
        assertThat(slow.getItems()).extracting(Alert::sequence).as("kept only the newest 3").containsExactly(1L, 8L, 9L, 10L);
    }

    @Test
    void shouldSendTheMissedAlertsFirstAndHoldLiveOnesBackUntilTheyAreRead() {
        AlertHub hub = new AlertHub(10, 5);
        AtomicReference<UniEmitter<? super List<Alert>>> read = new AtomicReference<>();
        AssertSubscriber<Alert> resumed = hub.subscribe(Uni.createFrom().<List<Alert>> emitter(read::set)).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        hub.publish(alert(3)); // published while the missed ones are read: it is among them
        hub.publish(alert(4));
        assertThat(resumed.getItems()).as("held back until the missed alerts are read").isEmpty();
        read.get().complete(List.of(alert(2), alert(3)));
        assertThat(resumed.getItems()).extracting(Alert::sequence).containsExactly(2L, 3L, 4L);
        hub.publish(alert(5));
        assertThat(resumed.getItems()).extracting(Alert::sequence).containsExactly(2L, 3L, 4L, 5L);
    }

    /**
     * The stream's merge (alerts and heartbeats, one at a time from each) asks the hub for the next alert while the
     * hub is still emitting the previous one: the nested drain saw that demand twice and pushed every missed alert
     * at once, and with three or more the stream failed for lack of requests after the first. A browser reconnecting
     * after missing three alerts got one per reconnect.
     */
    @Test
    void shouldSendEveryMissedAlertOneRequestAtATimeThroughTheStreamsMerge() {
        AlertHub hub = new AlertHub(10, 10);
        List<Alert> missed = List.of(alert(1), alert(2), alert(3), alert(4), alert(5));
        AssertSubscriber<Alert> writer = Multi.createBy().merging().withRequests(1)
                .streams(hub.subscribe(Uni.createFrom().item(missed)), Multi.createFrom().<Alert> nothing())
                .subscribe().withSubscriber(AssertSubscriber.create(1)); // the web layer: one write at a time
        for (int n = 1; n <= 5; n++) {
            int expected = n;
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.getItems().size() == expected || writer.getFailure() != null);
            assertThat(writer.getFailure()).isNull();
            writer.request(1); // the write of alert n completed
        }
        assertThat(writer.getItems()).extracting(Alert::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    /**
     * The missed alerts' read refused, too many reads waiting: the stream ends, so that the browser
     * reconnects with the same id. Live only, it would have moved past the missed alerts for good.
     */
    @Test
    void shouldEndAStreamWhoseMissedAlertsCouldNotBeReadForTooManyReads() {
        AlertHub hub = new AlertHub(10, 3);
        AssertSubscriber<Alert> resumed = hub.subscribe(Uni.createFrom().failure(new ReadsBusyException(8, 32)))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        resumed.assertFailedWith(ReadsBusyException.class);
        assertThat(hub.subscribers()).isZero();
    }

    /**
     * Any failed read of the missed alerts ends the stream, not only a refusal: a read that timed out (a
     * locked table) or a database away used to leave the stream live only, and the next live alert's id
     * moved the browser past the missed ones for good.
     */
    @Test
    void shouldEndAStreamWhoseMissedAlertsCouldNotBeReadAndSendItNoLiveAlert() {
        AlertHub hub = new AlertHub(10, 3);
        UniEmitter<? super List<Alert>>[] read = new UniEmitter[1];
        AssertSubscriber<Alert> resumed = hub.subscribe(Uni.createFrom().emitter(e -> read[0] = e))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        hub.publish(alert(7)); // live, while the read runs: held back
        read[0].fail(new ReadTimedOutException(Duration.ofSeconds(10), new IllegalStateException("statement timeout")));
        hub.publish(alert(8));

        resumed.assertFailedWith(ReadTimedOutException.class);
        assertThat(resumed.getItems()).as("no live alert past the missed ones").isEmpty();
        assertThat(hub.subscribers()).isZero();
    }

    @Test
    void shouldForgetCancelledSubscribersAndCapTheirNumber() {
        AlertHub hub = new AlertHub(1, 3);
        AssertSubscriber<Alert> one = hub.subscribe().subscribe().withSubscriber(AssertSubscriber.create(1));
        assertThatThrownBy(hub::subscribe).isInstanceOf(AlertHub.TooManySubscribers.class);
        one.cancel();
        assertThat(hub.subscribers()).isZero();
        hub.subscribe().subscribe().withSubscriber(AssertSubscriber.create(1));
        assertThat(hub.subscribers()).isEqualTo(1);
    }
}

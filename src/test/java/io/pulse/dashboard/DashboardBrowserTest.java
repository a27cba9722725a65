package io.pulse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

import io.pulse.alert.Alert;
import io.pulse.alert.AlertPublisher;
import io.pulse.alert.Severity;
import io.pulse.it.StoredAggregates;
import io.pulse.it.TopicReader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The dashboard in headless Chromium, against Pulse replaying the bundled recording through the whole
 * pipeline (replay SSE → ingest → Kafka → aggregator → PostgreSQL → /metrics/stream → page).
 */
@QuarkusTest
@TestProfile(DashboardStack.class)
class DashboardBrowserTest {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    static final String XSS_TITLE = "<img src=x onerror=alert(1)>";
    /** Quotes and an ampersand: what breaks out of an attribute built as text. */
    static final String QUOTED_TITLE = "q\" onmouseover=\"alert(4)\" x='<svg onload=alert(5)>' & javascript:alert(7)";

    @TestHTTPResource("/")
    String home;

    @Inject
    StreamSwitch streamSwitch;

    @Inject
    AlertPublisher publisher;

    ChromeDriver browser;

    @BeforeEach
    void openBrowser() {
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        streamSwitch.restore();
        browser.quit();
    }

    @Test
    void shouldFillTheChartsAndTheTopPagesWithWhatTheApiAnswers() throws Exception {
        browser.get(home);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(text("connection")).isEqualTo("Live");
            assertThat(pageRows()).isNotEmpty().isEqualTo(apiTopPages(null));
            assertThat(chartPoints("types-chart")).isEqualTo(apiSeries("type", null));
            assertThat(chartPoints("bots-chart")).isEqualTo(apiSeries("bot", null));
        });
        assertThat(browser.findElements(By.cssSelector("#users tbody tr"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#namespaces tbody tr"))).isNotEmpty();
        assertThat(text("h-dead")).isNotBlank();
        assertThat(text("no-alerts")).isEqualTo("No alerts");

        Path screenshot = Path.of("target", "dashboard.png");
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void shouldShowOnlyTheChosenWikiAfterFiltering() {
        browser.get(home);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !pageRows().isEmpty());
        assertThat(pageRows()).extracting(row -> row.get("wiki")).doesNotContain("wikidatawiki");

        // Typed as a user might: the box takes any case and filters on the lower-case domain.
        browser.findElement(By.id("wiki")).sendKeys("WWW.Wikidata.org");
        browser.findElement(By.cssSelector("#filter button[type=submit]")).click();

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(browser.getCurrentUrl()).endsWith("?wiki=www.wikidata.org");
            List<Map<String, String>> rows = pageRows();
            assertThat(rows).isNotEmpty().isEqualTo(apiTopPages("www.wikidata.org"));
            assertThat(rows).extracting(row -> row.get("wiki")).containsOnly("wikidatawiki");
            assertThat(chartPoints("types-chart")).isEqualTo(apiSeries("type", "www.wikidata.org"));
            assertThat(browser.findElements(By.cssSelector("#wikis tbody tr"))).hasSize(1);
        });
    }

    /** A wiki with nothing stored sends no dashboard at all: what the last filter showed must go. */
    @Test
    void shouldClearTheChartsWhenTheChosenWikiHasNoChanges() {
        browser.get(home);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !chartPoints("types-chart").isEmpty()
                && !pageRows().isEmpty());

        browser.findElement(By.id("wiki")).sendKeys("nosuchwiki.org");
        browser.findElement(By.cssSelector("#filter button[type=submit]")).click();

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(browser.getCurrentUrl()).endsWith("?wiki=nosuchwiki.org");
            assertThat(text("connection")).isEqualTo("Live");
        });
        assertThat(chartPoints("types-chart")).isEmpty();
        assertThat(chartPoints("bots-chart")).isEmpty();
        assertThat(text("history-range")).isEqualTo("no changes yet");
        assertThat(text("rank-range")).isEqualTo("no changes yet");
        assertThat(pageRows()).isEmpty();
    }

    /** A shared link may carry the wiki in any case; the stream takes lower case only (it answered 400, retried forever). */
    @Test
    void shouldTakeAWikiLinkedInAnyCase() {
        browser.get(home + "?wiki=WWW.Wikidata.org");

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(text("connection")).isEqualTo("Live");
            assertThat(browser.getCurrentUrl()).endsWith("?wiki=www.wikidata.org");
            assertThat(pageRows()).isNotEmpty().extracting(row -> row.get("wiki")).containsOnly("wikidatawiki");
        });
    }

    @Test
    void shouldShowTheReconnectBannerWhileTheStreamIsDownAndRecoverByItself() {
        browser.get(home);
        await().atMost(PATIENCE).until(() -> "Live".equals(text("connection")));
        assertThat(browser.findElement(By.id("banner")).isDisplayed()).isFalse();

        streamSwitch.cut();
        await().atMost(PATIENCE).until(() -> browser.findElement(By.id("banner")).isDisplayed());
        assertThat(text("connection")).isEqualTo("Reconnecting…");

        int before = streamSwitch.accepted();
        streamSwitch.restore();
        await().atMost(PATIENCE).until(() -> !browser.findElement(By.id("banner")).isDisplayed()
                && "Live".equals(text("connection")));
        assertThat(streamSwitch.accepted()).as("a new stream connection").isGreaterThan(before);
    }

    /**
     * A stream that is open but silent (every snapshot failing while the database is away) is not live:
     * the page used to read "Live" from the moment the headers came, with frozen figures, and its
     * watchdog's reconnections hid the banner again at once.
     */
    @Test
    void shouldShowTheReconnectBannerWhileTheStreamIsOpenButSilent() {
        browser.get(home);
        await().atMost(PATIENCE).until(() -> "Live".equals(text("connection")));

        int before = streamSwitch.accepted();
        streamSwitch.mute();
        await().atMost(PATIENCE).until(() -> browser.findElement(By.id("banner")).isDisplayed());
        // Long enough for EventSource's own reconnection (2 s) and the watchdog's (15 s) to open muted streams.
        await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(40)).until(() ->
                browser.findElement(By.id("banner")).isDisplayed() && "Reconnecting…".equals(text("connection")));

        streamSwitch.restore();
        await().atMost(PATIENCE).until(() -> !browser.findElement(By.id("banner")).isDisplayed()
                && "Live".equals(text("connection")));
        assertThat(streamSwitch.accepted()).as("a new stream connection").isGreaterThan(before);
    }

    /** The wall clock stepped back (NTP, by hand) while the stream went silent: the watchdog still notices. */
    @Test
    void shouldNoticeASilentStreamWhateverTheWallClockDoes() {
        browser.get(home);
        await().atMost(PATIENCE).until(() -> "Live".equals(text("connection")));

        int before = streamSwitch.accepted();
        browser.executeScript("const back = Date.now() - 3600000; Date.now = () => back;"); // an hour back, and stopped
        streamSwitch.mute();
        await().atMost(PATIENCE).until(() -> streamSwitch.mutedStreams() > 0);
        int silent = streamSwitch.mutedStreams();
        // EventSource keeps an open silent stream for good: only the page's watchdog (15 s) opens another.
        await().atMost(Duration.ofSeconds(40)).until(() -> streamSwitch.mutedStreams() > silent);
        assertThat(browser.findElement(By.id("banner")).isDisplayed()).isTrue();
        streamSwitch.restore();
        await().atMost(PATIENCE).until(() -> !browser.findElement(By.id("banner")).isDisplayed()
                && "Live".equals(text("connection")));
        assertThat(streamSwitch.accepted()).as("a new stream connection").isGreaterThan(before);
    }

    /**
     * The rankings' table locked (maintenance): the page kept its charts and rankings and read "Live", as if
     * they were current. It now marks them as not current until the view can be read again.
     */
    @Test
    void shouldMarkTheChartsAndRankingsAsNotCurrentWhileTheyCannotBeRead() throws Exception {
        browser.get(home);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> "Live".equals(text("connection")) && !pageRows().isEmpty());
        assertThat(text("stale")).isEmpty();

        try (Connection maintenance = StoredAggregates.connect()) {
            maintenance.setAutoCommit(false);
            try (Statement s = maintenance.createStatement()) {
                s.execute("LOCK TABLE page_edit_counts IN ACCESS EXCLUSIVE MODE");
            }
            try {
                await().atMost(PATIENCE).until(() -> text("stale").startsWith("Charts and rankings are not current"));
                assertThat(pageRows()).as("kept on screen, marked").isNotEmpty();
                assertThat(browser.findElement(By.id("pages")).findElement(By.xpath("./ancestor::section")).getCssValue("opacity"))
                        .isEqualTo("0.75");
            } finally {
                maintenance.rollback();
            }
        }
        await().atMost(PATIENCE).until(() -> text("stale").isEmpty());
    }

    /**
     * An error answer (503 at the subscriber cap, a proxy during a redeploy) closes an EventSource for
     * good: the page opens a new one, with the last alert id it saw, and shows what it missed meanwhile.
     * It used to stay silent, still reading "Live".
     */
    @Test
    void shouldReopenTheAlertStreamAfterAnErrorAnswerAndShowTheAlertsItMissed() {
        open(home);
        String wiki = "reopenwiki" + System.nanoTime() % 1_000_000;
        List<Alert> seen = raise(wiki, "Seen before the cut", "Seen last before the cut");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen before the cut")
                && text("alerts").contains("Seen last before the cut"));

        // Published again meanwhile (raised again by another replica, say): the replay after the cut sends the one
        // that is not the last the page received a second time, as the server errs towards repeating.
        raiseWhileTheStreamsAreRefused(wiki, "Raised while the streams were refused", () -> StoredAggregates.execute(
                "UPDATE alerts SET published_at = now() WHERE id IN ('" + seen.get(0).id() + "', '" + seen.get(1).id() + "')"));

        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the streams were refused"));
        raise(wiki, "Raised after");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised after"));
        List<String> shown = browser.findElements(By.cssSelector("#alerts li")).stream().map(e -> e.getText()).toList();
        assertThat(shown).as("each alert shown once").doesNotHaveDuplicates()
                .filteredOn(line -> line.contains("before the cut")).hasSize(2);
    }

    /**
     * The same for a page that has received no alert yet (a quiet system): it had no id to reopen from, its new
     * stream was live only, and what was raised meanwhile never showed. It now resumes from where its first stream
     * started.
     */
    @Test
    void shouldShowTheAlertsMissedByAPageThatHadReceivedNoneYet() {
        open(home);
        String wiki = "quietpagewiki" + System.nanoTime() % 1_000_000;

        raiseWhileTheStreamsAreRefused(wiki, "Raised while a quiet page was away", () -> { });

        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while a quiet page was away"));
    }

    /**
     * An alert stream that died without a word (a network gone: EventSource waits on it for TCP's ~15 minutes) showed
     * no alert meanwhile, and nothing on the page said so. Silent for three heartbeats (here the floor, 10 s), it is
     * opened again from the last id, and what was raised meanwhile shows, in each tab that shared it. One tab is frozen
     * meanwhile (as a browser does to a background tab): it keeps the dead stream in the shared worker, and the new
     * stream's first heartbeat handed the other tabs back to that one before its replay came, again and again. The two
     * awake tabs find the stream silent at about the same time: it is opened again once, not once per tab.
     */
    @Test
    void shouldReopenAnAlertStreamThatFellSilentAndShowWhatItMissed() {
        List<String> tabs = openTabs(3);
        String awake = tabs.get(0);
        String alsoAwake = tabs.get(1);
        String frozen = tabs.get(2);
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 2); // all tabs on one alert stream
        String wiki = "silentwiki" + System.nanoTime() % 1_000_000;
        raise(wiki, "Seen before the silence");
        for (String tab : tabs) {
            browser.switchTo().window(tab);
            await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen before the silence"));
        }
        browser.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "frozen"));
        browser.switchTo().window(awake);

        int mutedBefore = streamSwitch.mutedAlerts();
        streamSwitch.muteAlerts(); // EventSource reconnects by itself, onto a silent stream
        await().atMost(PATIENCE).until(() -> streamSwitch.mutedAlerts() > mutedBefore);
        raise(wiki, "Raised while the stream was silent");
        int silent = streamSwitch.mutedAlerts();
        // EventSource keeps an open silent stream for good: only a page's watchdog opens another, once for both tabs
        // (the next time is ten seconds of silence later).
        await().atMost(PATIENCE).until(() -> streamSwitch.mutedAlerts() > silent);
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> streamSwitch.mutedAlerts() == silent + 1);
        streamSwitch.unmuteAlerts(); // the silent connections stay open

        for (String tab : List.of(awake, alsoAwake)) {
            browser.switchTo().window(tab);
            await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the stream was silent"));
        }
        browser.switchTo().window(frozen);
        browser.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "active"));
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the stream was silent"));
        for (String tab : tabs) {
            browser.switchTo().window(tab);
            assertThat(browser.findElements(By.cssSelector("#alerts li")).stream().map(e -> e.getText()).toList())
                    .as("each alert shown once").filteredOn(line -> line.contains("silen")).hasSize(2);
        }
    }

    /**
     * A frozen tab (as a browser freezes a background tab) holds a dead alert stream in the shared worker. A tab opened
     * meanwhile joined it: it heard no heartbeat, so its watchdog never armed, and it showed no alert for good; it is
     * now handed the stream's heartbeat interval. A tab opened once the stream has been silent for two heartbeats had it
     * started again in place, live: the frozen tab, moved onto it, took its new position and never showed what was
     * raised during the silence. That tab is now told its stream ended, and reopens from its own last id.
     */
    @Test
    void shouldShowAlertsInTabsThatMeetADeadStreamAFrozenTabHolds() {
        open(home);
        String frozen = browser.getWindowHandle();
        browser.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "frozen"));
        int mutedBefore = streamSwitch.mutedAlerts();
        streamSwitch.muteAlerts(); // EventSource reconnects by itself, onto a silent stream
        await().atMost(PATIENCE).until(() -> streamSwitch.mutedAlerts() > mutedBefore);
        String wiki = "deadstreamwiki" + System.nanoTime() % 1_000_000;
        raise(wiki, "Raised while the stream was dead");

        browser.switchTo().newWindow(WindowType.TAB);
        open(home); // joins the dead stream
        String joined = browser.getWindowHandle();
        int joinedAt = streamSwitch.mutedAlerts();
        // Its watchdog, armed by the interval it was handed, reopens from its id: the stream has been silent for two
        // heartbeats (10 s, the floor) by then.
        await().atMost(PATIENCE).until(() -> streamSwitch.mutedAlerts() > joinedAt);
        streamSwitch.unmuteAlerts(); // the silent connections stay open
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the stream was dead"));

        browser.switchTo().newWindow(WindowType.TAB);
        open(home); // asks for the dead stream's URL
        raise(wiki, "Raised for the newcomers");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised for the newcomers"));
        browser.switchTo().window(joined);
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised for the newcomers"));
        // Whether the thawed tab's timers or its messages run first is the browser's choice: its own watchdog may reopen
        // from its id before it reads what the worker did. So the worker tells: the frozen tab is on no alert stream
        // (told its stream ended), the two others are.
        inSharedWorker("fetch('/test-mark/tabs-on-alert-streams-' + [...streams.values()]"
                + ".filter((s) => s.events.has('alert')).reduce((n, s) => n + s.handles.size, 0))");
        await().atMost(PATIENCE).until(() -> streamSwitch.marks().stream().anyMatch(m -> m.startsWith("tabs-on-alert-streams-")));
        assertThat(streamSwitch.marks()).as("not the frozen tab").contains("tabs-on-alert-streams-2");

        browser.switchTo().window(frozen);
        browser.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "active"));
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the stream was dead")
                && text("alerts").contains("Raised for the newcomers"));
    }

    /**
     * Each tab held two streams, and a browser opens at most six connections to a host: a fourth tab waited for good,
     * its page not even loaded. The tabs of a browser now share one connection per stream; a tab that joins late still
     * learns where the alerts resume, closing the tab that opened the streams leaves them to the others, and they
     * close with the last tab. (A page left for another is kept a while in the back-forward cache, and its streams
     * with it, as plain EventSources were.)
     */
    @Test
    void shouldServeManyTabsOverOneConnectionPerStream() {
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)); // a page that waits for a connection fails
        List<String> tabs = openTabs(5);
        String first = tabs.get(0);
        assertThat(browser.getWindowHandles()).hasSize(5);
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 2);

        String wiki = "tabswiki" + System.nanoTime() % 1_000_000;
        raise(wiki, "Seen by every tab");
        for (String tab : tabs) {
            browser.switchTo().window(tab);
            await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen by every tab"));
        }

        int accepted = streamSwitch.accepted();
        browser.switchTo().window(first).close();
        List<String> left = tabs.stream().filter(tab -> !tab.equals(first)).toList();
        raise(wiki, "Seen after the first tab closed");
        for (String tab : left) {
            browser.switchTo().window(tab);
            await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen after the first tab closed")
                    && "Live".equals(text("connection")));
        }
        assertThat(streamSwitch.openStreams()).as("the streams the first tab opened, kept for the others").isEqualTo(2);
        assertThat(streamSwitch.accepted()).as("not opened again").isEqualTo(accepted);

        browser.switchTo().newWindow(WindowType.TAB); // the browser stays, with no dashboard
        String blank = browser.getWindowHandle();
        for (String tab : left) {
            browser.switchTo().window(tab).close();
        }
        browser.switchTo().window(blank);
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 0);
    }

    /**
     * A worker that cannot start (its script refused by a proxy, say) left the page at "Connecting…" for good, with no
     * stream at all: it now opens its own.
     */
    @Test
    void shouldOpenItsOwnStreamsWhenTheSharedWorkerCannotStart() {
        streamSwitch.refuseWorker();
        open(home);
        String wiki = "noworkerwiki" + System.nanoTime() % 1_000_000;
        raise(wiki, "Seen without the worker");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen without the worker"));
    }

    /**
     * After the streams were refused, every tab reopens the alerts from the same id, each after its own back-off: a tab
     * whose reopen came later (its timers throttled in the background) joined the stream another tab had reopened,
     * and missed what that stream had replayed and delivered before it joined.
     */
    @Test
    void shouldShowATabThatReopensLateWhatTheSharedStreamDeliveredBefore() {
        List<String> tabs = openTabs(2);
        String early = tabs.get(0);
        String late = tabs.get(1);
        String wiki = "latetabwiki" + System.nanoTime() % 1_000_000;
        raise(wiki, "Seen by both");
        for (String tab : List.of(early, late)) {
            browser.switchTo().window(tab);
            await().atMost(PATIENCE).until(() -> text("alerts").contains("Seen by both"));
        }
        // This tab's timers run 20 s late, as a throttled background tab's may.
        browser.executeScript("const later = window.setTimeout;"
                + " window.setTimeout = (f, ms, ...args) => later(f, (ms || 0) + 20000, ...args);");

        raiseWhileTheStreamsAreRefused(wiki, "Raised while the streams were refused", () -> { });
        browser.switchTo().window(early);
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the streams were refused"));
        raise(wiki, "Raised before the late tab reopened");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised before the late tab reopened"));

        browser.switchTo().window(late);
        assertThat(text("alerts")).doesNotContain("Raised while the streams were refused"); // not reopened yet
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the streams were refused")
                && text("alerts").contains("Raised before the late tab reopened"));
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 2); // one connection per stream still
    }

    /**
     * A tab the worker let go of (silent for five minutes: asleep, frozen) is told at its next ping that its streams
     * ended; it reopens them onto the connections the other tabs share, not onto one of its own for good.
     */
    @Test
    void shouldBringATabTheWorkerLetGoOfBackOntoTheSharedStreams() {
        openTabs(2);
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 2);

        // The tab registered last, as the sweep does after silence; the worker then tells the test how many it holds.
        inSharedWorker("drop([...tabs.keys()].pop(), false); fetch('/test-mark/let-go-of-one-of-' + (tabs.size + 1))");
        await().atMost(PATIENCE).until(() -> streamSwitch.marks().contains("let-go-of-one-of-2"));
        // Raised while it is let go of: it reopens from an older id than the shared stream's, and catches up.
        raise("letgowiki" + System.nanoTime() % 1_000_000, "Raised while the tab was let go of");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised while the tab was let go of"));
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 2);
    }

    /**
     * A tab whose page crashed says no goodbye: its lock, released with it, tells the worker, which closes the stream
     * only that tab read (its wiki filter) within seconds instead of after five silent minutes.
     */
    @Test
    void shouldCloseTheStreamOnlyACrashedTabReadOnceItsLockIsGone() {
        open(home);
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(home + "?wiki=www.wikidata.org");
        await().atMost(PATIENCE).until(() -> "Live".equals(text("connection")));
        await().atMost(PATIENCE).until(() -> streamSwitch.openStreams() == 3); // two filters, one alert stream

        try {
            browser.executeCdpCommand("Page.crash", Map.of());
        } catch (RuntimeException crashed) {
            // the page's answer never comes: it is gone
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> streamSwitch.openStreams() == 2);
    }

    /** A worker that stops (crashed, ended by the browser) no longer answers pings: the tab opens its own streams. */
    @Test
    void shouldOpenItsOwnStreamsWhenTheSharedWorkerStops() {
        open(home);
        browser.executeCdpCommand("Target.closeTarget", Map.of("targetId", sharedWorker()));
        raise("stoppedworkerwiki" + System.nanoTime() % 1_000_000, "Raised after the worker stopped");
        await().atMost(PATIENCE).until(() -> text("alerts").contains("Raised after the worker stopped")
                && "Live".equals(text("connection")));
    }

    @SuppressWarnings("unchecked")
    private String sharedWorker() {
        List<Map<String, Object>> targets = (List<Map<String, Object>>) browser.executeCdpCommand("Target.getTargets", Map.of())
                .get("targetInfos");
        return targets.stream().filter(t -> "shared_worker".equals(t.get("type"))).map(t -> (String) t.get("targetId"))
                .findFirst().orElseThrow();
    }

    /** Runs a script in the dashboard's shared worker (through the DevTools protocol; its answer is not read). */
    private void inSharedWorker(String script) {
        String session = (String) browser.executeCdpCommand("Target.attachToTarget", Map.of("targetId", sharedWorker(), "flatten", false))
                .get("sessionId");
        browser.executeCdpCommand("Target.sendMessageToTarget", Map.of("sessionId", session, "message",
                "{\"id\":1,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"" + script.replace("\"", "\\\"") + "\"}}"));
    }

    /** Opens the dashboard in this tab and in {@code count - 1} new ones, each live: their handles, in order. */
    private List<String> openTabs(int count) {
        List<String> tabs = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                browser.switchTo().newWindow(WindowType.TAB);
            }
            open(home);
            tabs.add(browser.getWindowHandle());
        }
        return tabs;
    }

    /**
     * Opens the page, and waits until it is live and its alert stream has started (told its position): an alert
     * raised before could be neither sent live nor replayed.
     */
    private void open(String page) {
        browser.get(page);
        await().atMost(PATIENCE).until(() -> "Live".equals(text("connection")));
        await().atMost(PATIENCE).until(() -> browser.findElement(By.id("alerts")).getAttribute("data-resume-from") != null);
    }

    /**
     * Cuts the streams, and raises an alert once the page's alert stream got a 503 (closed for good, unless reopened);
     * then {@code meanwhile}, and the streams are back.
     */
    private void raiseWhileTheStreamsAreRefused(String wiki, String summary, Runnable meanwhile) {
        int refused = streamSwitch.refusedAlerts();
        streamSwitch.cut();
        await().atMost(PATIENCE).until(() -> streamSwitch.refusedAlerts() > refused);
        raise(wiki, summary);
        meanwhile.run();
        streamSwitch.restore();
    }

    /** Alerts raised, stored and published together. */
    private List<Alert> raise(String wiki, String... summaries) {
        Instant incident = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<Alert> alerts = new java.util.ArrayList<>();
        for (String summary : summaries) {
            String key = wiki + ":" + summary;
            alerts.add(new Alert("watched-user:" + key + "@" + incident, "watched-user", Severity.WARNING, key, wiki,
                    summary, "Tester", incident, Instant.now(), summary, Map.of("user", "Tester"), null, null));
        }
        List<Alert> raised = publisher.raise(alerts).await().atMost(PATIENCE);
        assertThat(raised).hasSize(summaries.length);
        return raised;
    }

    @Test
    void shouldRenderMarkupInTitlesAndNamesAsTextWithoutRunningIt() {
        String event = "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"xss-1\","
                + "\"domain\":\"xss.wikipedia.org\",\"dt\":\"2020-01-01T00:00:00Z\"},\"type\":\"edit\","
                + "\"namespace\":0,\"title\":\"" + XSS_TITLE + "\",\"comment\":\"<script>alert(2)</script>\","
                + "\"timestamp\":" + Instant.parse("2020-01-01T00:00:00Z").getEpochSecond()
                + ",\"user\":\"<b onmouseover=alert(3)>Mallory</b>\",\"bot\":false,"
                + "\"length\":{\"old\":10,\"new\":15},\"wiki\":\"xsswiki\",\"server_name\":\"xss.wikipedia.org\"}";
        String quoted = event.replace("xss-1", "xss-2").replace(XSS_TITLE, QUOTED_TITLE.replace("\"", "\\\""));
        TopicReader.produce(DashboardStack.TOPIC, List.of(event, quoted));
        String summary = "<img src=x onerror=alert(6)> by \"Mallory\" & 'co'";

        open(home + "?wiki=xsswiki");
        raise("xsswiki", summary);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(pageRows())
                .extracting(row -> row.get("title")).containsExactlyInAnyOrder(XSS_TITLE, QUOTED_TITLE));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> text("alerts").contains(summary));
        assertThat(browser.findElement(By.cssSelector("#users tbody tr td:nth-child(2)")).getText())
                .startsWith("<b onmouseover=alert(3)>Mallory</b>");
        assertThat(browser.findElements(By.cssSelector("main img, main b, main script, main svg"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("main [onmouseover], main [onerror], main [onload]"))).isEmpty();
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script from the stream ran");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    /**
     * Rows are keyed by wiki and title: joined with "|", wiki "pipe|wiki" with title "Pipe c" and wiki "pipe"
     * with title "wiki|Pipe c" (neither field is refused a "|") made one key, and the table gained a row at
     * each snapshot, never removed.
     */
    @Test
    void shouldKeepOneRowPerPageWhenWikiAndTitleJoinAlike() {
        long now = Instant.now().getEpochSecond();
        List<String> events = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(change("pipe-a-" + i, "pipe|wiki", "Pipe c", now));
            events.add(change("pipe-b-" + i, "pipe", "wiki|Pipe c", now));
        }
        TopicReader.produce(DashboardStack.TOPIC, events);

        browser.get(home);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> pipeRows() >= 2);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> pipeRows() == 2);
    }

    private long pipeRows() {
        return pageRows().stream().filter(row -> row.get("title").endsWith("Pipe c")).count();
    }

    private static String change(String id, String wiki, String title, long timestamp) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + id
                + "\",\"domain\":\"pipe.wikipedia.org\",\"dt\":\"2020-01-01T00:00:00Z\"},\"type\":\"edit\","
                + "\"namespace\":0,\"title\":\"" + title + "\",\"comment\":\"\",\"timestamp\":" + timestamp
                + ",\"user\":\"Piper\",\"bot\":false,\"length\":{\"old\":10,\"new\":15},\"wiki\":\"" + wiki + "\"}";
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** The top pages table as shown: title, link, wiki, changes. */
    @SuppressWarnings("unchecked")
    private List<Map<String, String>> pageRows() {
        return (List<Map<String, String>>) browser.executeScript("""
                return [...document.querySelectorAll('#pages tbody tr')].map(tr => ({
                  title: tr.cells[1].textContent, url: tr.cells[1].querySelector('a')?.getAttribute('href') ?? null,
                  wiki: tr.cells[2].textContent, changes: tr.cells[3].textContent.replaceAll(',', '')}))""");
    }

    /** /api/top/pages for the range the page says it shows. */
    private List<Map<String, String>> apiTopPages(String wiki) {
        Map<String, String> range = range("rank-range");
        var request = RestAssured.given().queryParam("from", range.get("from")).queryParam("to", range.get("to"))
                .queryParam("limit", 20);
        if (wiki != null) {
            request.queryParam("wiki", wiki);
        }
        List<Map<String, Object>> items = request.get("/api/top/pages").then().statusCode(200)
                .extract().jsonPath().getList("items");
        return items.stream().map(i -> {
            Map<String, String> row = new HashMap<>();
            row.put("title", (String) i.get("title"));
            row.put("url", (String) i.get("url"));
            row.put("wiki", (String) i.get("wiki"));
            row.put("changes", String.valueOf(i.get("changes")));
            return row;
        }).toList();
    }

    /** Non-zero points of a chart, as "series@HH:MM" → value (bots chart: "bot", "human"). */
    @SuppressWarnings("unchecked")
    private Map<String, Long> chartPoints(String canvas) {
        List<Map<String, Object>> sets = (List<Map<String, Object>>) browser.executeScript("""
                const chart = Chart.getChart(arguments[0]);
                return chart.data.datasets.map(d => ({label: d.label, labels: chart.data.labels, data: d.data}))""",
                canvas);
        Map<String, Long> points = new HashMap<>();
        for (Map<String, Object> set : sets) {
            String series = Map.of("bots", "bot", "humans", "human").getOrDefault(set.get("label"), (String) set.get("label"));
            List<String> labels = (List<String>) set.get("labels");
            List<Number> data = (List<Number>) set.get("data");
            for (int i = 0; i < labels.size(); i++) {
                if (data.get(i).longValue() != 0) {
                    points.put(series + "@" + labels.get(i), data.get(i).longValue());
                }
            }
        }
        return points;
    }

    /** /api/timeseries per minute over the hour the charts show, split by type or bot. */
    private Map<String, Long> apiSeries(String by, String wiki) {
        Map<String, String> range = range("history-range");
        var request = RestAssured.given().queryParam("step", "1m").queryParam("by", by)
                .queryParam("from", range.get("from"))
                .queryParam("to", Instant.parse(range.get("to")).plus(Duration.ofMinutes(1)).toString());
        if (wiki != null) {
            request.queryParam("wiki", wiki);
        }
        List<Map<String, Object>> series = request.get("/api/timeseries").then().statusCode(200)
                .extract().jsonPath().getList("series");
        Map<String, Long> points = new HashMap<>();
        for (Map<String, Object> s : series) {
            for (Object p : (List<?>) s.get("points")) {
                Map<?, ?> point = (Map<?, ?>) p;
                long value = ((Number) point.get("value")).longValue();
                if (value != 0) {
                    points.put(s.get("name") + "@" + point.get("start").toString().substring(11, 16), value);
                }
            }
        }
        return points;
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> range(String id) {
        Map<String, String> range = (Map<String, String>) browser.executeScript(
                "const d = document.getElementById(arguments[0]).dataset; return {from: d.from, to: d.to};", id);
        assertThat(range.get("from")).as("range shown").isNotNull();
        return range;
    }
}

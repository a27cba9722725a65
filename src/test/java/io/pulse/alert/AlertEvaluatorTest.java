package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.RecentChange;

/** The per-change rules on hand-made changes: plain JUnit, no broker, no database. */
class AlertEvaluatorTest {

    static final long MINUTE = 60_000;
    static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    static final RuleSet RULES = new RuleSet(
            new WatchedUserRule(true, Severity.WARNING, 600, Set.of("Watched"), Set.of()),
            new PageSpikeRule(true, Severity.WARNING, 600, 20, 5, 10),
            new BotSurgeRule(true, Severity.INFO, 600, 30, 0.9),
            new MassBlankingRule(true, Severity.CRITICAL, 600, 5000, 90, 500));

    final AlertEvaluator evaluator = new AlertEvaluator(MINUTE, 1000, 1000);

    static RecentChange change(String title, String user, long timeMs, long delta) {
        return new RecentChange(title + user + timeMs + delta, "en.wikipedia.org", "enwiki", "edit", 0, title, user,
                false, timeMs, delta, null);
    }

    /** An edit at T0 that removes {@code -delta} bytes from a page of {@code oldLength} (null: unknown). */
    static RecentChange shrink(String title, String user, long delta, Long oldLength) {
        return new RecentChange(title + user + delta, "en.wikipedia.org", "enwiki", "edit", 0, title, user,
                false, T0, delta, oldLength);
    }

    List<Alert> feed(List<RecentChange> changes) {
        List<Alert> out = new ArrayList<>();
        changes.forEach(c -> out.addAll(evaluator.evaluate(c, RULES)));
        return out;
    }

    @Test
    void shouldRaiseOneAlertForSeveralChangesByAWatchedUserWithinTheCooldown() {
        List<Alert> alerts = feed(List.of(change("A", "Watched", T0, 10), change("B", "Watched", T0 + 5 * MINUTE, 3),
                change("C", "Someone", T0, 1)));
        assertThat(alerts).hasSize(1);
        Alert a = alerts.get(0);
        assertThat(a.rule()).isEqualTo("watched-user");
        assertThat(a.severity()).isEqualTo(Severity.WARNING);
        assertThat(a.user()).isEqualTo("Watched");
        assertThat(a.title()).isEqualTo("A");
        assertThat(a.id()).isEqualTo("watched-user:Watched@2026-03-01T12:00:00Z");
    }

    @Test
    void shouldRaiseAgainInTheNextCooldownPeriod() {
        List<Alert> alerts = feed(List.of(change("A", "Watched", T0, 1), change("A", "Watched", T0 + 10 * MINUTE, 1)));
        assertThat(alerts).extracting(Alert::incidentStart)
                .containsExactly(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 10 * MINUTE));
    }

    @Test
    void shouldLimitWatchedUsersToTheConfiguredWikis() {
        WatchedUserRule onlyDe = new WatchedUserRule(true, Severity.INFO, 60, Set.of("Watched"), Set.of("dewiki"));
        assertThat(onlyDe.matches(change("A", "Watched", T0, 1))).isFalse();
        WatchedUserRule byDomain = new WatchedUserRule(true, Severity.INFO, 60, Set.of("Watched"), Set.of("en.wikipedia.org"));
        assertThat(byDomain.matches(change("A", "Watched", T0, 1))).isTrue();
    }

    @Test
    void shouldRaiseOneSpikeForABurstOfFiftyChangesOnOnePage() {
        List<RecentChange> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(change("Breaking news", "User" + i, T0 + i * 1000, 5));
        }
        List<Alert> alerts = feed(burst);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).rule()).isEqualTo("page-spike");
        assertThat(alerts.get(0).details()).containsEntry("changes", 20L).containsEntry("baseline", 0.0);
        assertThat(alerts.get(0).key()).isEqualTo("enwiki:Breaking news");
    }

    @Test
    void shouldNotRaiseASpikeOnAPageThatIsAlwaysBusy() {
        List<RecentChange> steady = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            for (int i = 0; i < 15; i++) {
                steady.add(change("Busy page", "U", T0 + minute * MINUTE + i * 1000, 1));
            }
        }
        for (int i = 0; i < 25; i++) { // 25 ≥ 20 changes, but not ≥ 5 × the baseline of 15
            steady.add(change("Busy page", "U", T0 + 10 * MINUTE + i * 1000, 1));
        }
        assertThat(feed(steady)).isEmpty();
    }

    /**
     * The spike rule changed at run time, as an admin does through the API: a busy page's baseline
     * must survive it. A rule switched on, or judging by more windows, judged the next 20 changes of
     * every steadily busy page against an empty baseline: a spike on each.
     */
    @Test
    void shouldNotRaiseASpikeOnAnAlwaysBusyPageWhenTheRuleIsSwitchedOnOrItsBaselineWidened() {
        PageSpikeRule on = RULES.pageSpike();
        RuleSet off = RULES.with(new PageSpikeRule(false, on.severity(), on.cooldownSeconds(), on.minChanges(), on.factor(),
                on.baselineWindows()));
        RuleSet wider = RULES.with(new PageSpikeRule(true, on.severity(), on.cooldownSeconds(), on.minChanges(), on.factor(),
                12));
        List<Alert> out = new ArrayList<>();
        for (int minute = 0; minute < 13; minute++) {
            RuleSet rules = minute < 11 ? off : minute == 11 ? RULES : wider;
            for (int i = 0; i < 25; i++) {
                out.addAll(evaluator.evaluate(change("Busy page", "U" + i, T0 + minute * MINUTE + i * 1000, 1), rules));
            }
        }
        assertThat(out).isEmpty();
        // Still judged: a burst of 5 × 25 in the next window is a spike.
        for (int i = 0; i < 125; i++) {
            out.addAll(evaluator.evaluate(change("Busy page", "U" + i, T0 + 13 * MINUTE + i * 100, 1), wider));
        }
        assertThat(out).extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    @Test
    void shouldRaiseMassBlankingByBytesOrByShareOfThePage() {
        assertThat(evaluator.evaluate(shrink("Big", "Vandal", -6000, 8000L), RULES))
                .singleElement().satisfies(a -> {
                    assertThat(a.rule()).isEqualTo("mass-blanking");
                    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
                    assertThat(a.details()).containsEntry("bytesRemoved", 6000L).containsEntry("percentRemoved", 75.0);
                });
        assertThat(evaluator.evaluate(shrink("Small", "Vandal", -950, 1000L), RULES)).hasSize(1);
        assertThat(evaluator.evaluate(shrink("Tiny", "Vandal", -300, 300L), RULES)).as("below min-old-length").isEmpty();
        assertThat(evaluator.evaluate(shrink("Other", "Editor", -800, 1000L), RULES)).isEmpty();
        assertThat(evaluator.evaluate(shrink("Unknown", "Editor", -4000, null), RULES)).isEmpty();
    }

    @Test
    void shouldDetectABotSurgeBySharesAndVolume() {
        BotSurgeRule rule = RULES.botSurge();
        assertThat(rule.isSurge(40, 40)).isTrue();
        assertThat(rule.isSurge(40, 29)).as("too few bot changes").isFalse();
        assertThat(rule.isSurge(100, 60)).as("share below 0.9").isFalse();
        assertThat(rule.isSurge(0, 0)).isFalse();
    }

    /** In doubles 0.07 * 100 is 7.000000000000001: a window at exactly the share was not a surge. */
    @Test
    void shouldCountABotShareExactlyAtTheRulesShare() {
        for (double share : new double[] { 0.07, 0.14, 0.28, 0.55, 0.56, 0.9 }) {
            BotSurgeRule rule = new BotSurgeRule(true, Severity.WARNING, 600, 1, share);
            long atShare = Math.round(share * 100);
            assertThat(rule.isSurge(100, atShare)).as("%d of 100 at %s", atShare, share).isTrue();
            assertThat(rule.isSurge(100, atShare - 1)).as("%d of 100 at %s", atShare - 1, share).isFalse();
        }
    }

    @Test
    void shouldRaiseNothingForDisabledRules() {
        RuleSet off = RULES.with(new WatchedUserRule(false, Severity.INFO, 60, Set.of("Watched"), Set.of()));
        assertThat(evaluator.evaluate(change("A", "Watched", T0, 1), off)).isEmpty();
    }
}

package io.pulse.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.api.problem.InvalidParametersException;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * The rules in force on this replica: application.properties at start, overridden by rules stored in
 * PostgreSQL (changed through the admin endpoint on any replica and re-read every check interval).
 */
@ApplicationScoped
@Startup // a configured rule out of bounds stops the start, not the first alert check
public class AlertRules {

    private static final Logger LOG = Logger.getLogger(AlertRules.class);

    private final AlertStore store;
    private final ObjectMapper json;
    private final RuleSet defaults;
    private final AtomicReference<RuleSet> current;
    private volatile boolean cappedLogged;

    public AlertRules(AlertStore store, ObjectMapper json, AlertConfig config) {
        this.store = store;
        this.json = json;
        this.defaults = withinLimits(defaults(config), json);
        this.current = new AtomicReference<>(defaults);
    }

    public RuleSet current() {
        return current.get();
    }

    /**
     * Validates and stores a change to one rule; fields absent keep their stored value (this replica's
     * copy may be seconds old). @throws InvalidParametersException
     */
    public Uni<Rule> update(String name, JsonNode body) {
        RuleJson.apply(current().get(name), body); // an invalid change is refused at once, database or not
        return store.changeRule(name, stored -> RuleJson.apply(storedOver(defaults.get(name), stored), body),
                updated -> new JsonObject(json.convertValue(updated, Map.class)))
                .invoke(updated -> current.updateAndGet(set -> set.with(updated)));
    }

    /** A stored rule over its configured default (a stored rule no longer valid is ignored, as on refresh). */
    private Rule storedOver(Rule base, JsonObject stored) {
        if (stored == null) {
            return base;
        }
        try {
            return RuleJson.apply(base, json.valueToTree(capped(base.name(), stored).getMap()));
        } catch (InvalidParametersException e) {
            return base;
        }
    }

    /** Re-reads the stored rules (each applied over the configured default, so new fields get defaults). */
    public Uni<Void> refresh() {
        RuleSet before = current.get();
        return store.storedRules().invoke(stored -> {
            RuleSet set = defaults;
            for (var entry : stored.entrySet()) {
                Rule base = defaults.get(entry.getKey());
                if (base == null) {
                    continue;
                }
                try {
                    set = set.with(RuleJson.apply(base, json.valueToTree(capped(entry.getKey(), entry.getValue()).getMap())));
                } catch (InvalidParametersException e) {
                    LOG.warnf("Ignoring the stored rule %s: %s", entry.getKey(), e.getMessage());
                }
            }
            // Unless a local update landed meanwhile: this read may predate it (the next refresh sees it).
            current.compareAndSet(before, set);
        }).replaceWithVoid();
    }

    /**
     * A page-spike rule stored before baselineWindows was capped (up to 1440 was accepted) is read with
     * the cap, not ignored whole (which would also drop its other fields).
     */
    private JsonObject capped(String name, JsonObject stored) {
        if (PageSpikeRule.NAME.equals(name) && stored.getValue("baselineWindows") instanceof Number n
                && n.doubleValue() > PageSpikeRule.MAX_BASELINE_WINDOWS) {
            if (!cappedLogged) {
                cappedLogged = true;
                LOG.warnf("The stored page-spike rule looks at %s windows: read as %d, the most it may (PUT it to store that)",
                        n, PageSpikeRule.MAX_BASELINE_WINDOWS);
            }
            return stored.copy().put("baselineWindows", PageSpikeRule.MAX_BASELINE_WINDOWS);
        }
        return stored;
    }

    /**
     * Each configured rule within the limits the admin endpoint keeps. A value beyond them (a cooldown of
     * 0s, say) was stored with the first change to the rule through that endpoint, and the stored rule was
     * then ignored as invalid on every replica: the change went back within a check interval, every time.
     */
    static RuleSet withinLimits(RuleSet configured, ObjectMapper json) {
        List<String> problems = new ArrayList<>();
        RuleSet spelled = configured;
        for (Rule rule : configured.all()) {
            try {
                spelled = spelled.with(RuleJson.apply(rule, json.valueToTree(rule))); // names as the feed spells them
            } catch (InvalidParametersException e) {
                e.errors().forEach(error -> problems.add("pulse.alert." + rule.name() + "." + configKey(error.parameter())
                        + ": " + error.detail()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Alert rules configured beyond what the admin endpoint accepts: "
                    + String.join("; ", problems));
        }
        return spelled;
    }

    private static String configKey(String field) {
        return "cooldownSeconds".equals(field) ? "cooldown" : field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    static RuleSet defaults(AlertConfig c) {
        var w = c.watchedUser();
        var s = c.pageSpike();
        var b = c.botSurge();
        var m = c.massBlanking();
        return new RuleSet(
                new WatchedUserRule(w.enabled(), w.severity(), w.cooldown().toSeconds(),
                        java.util.Set.copyOf(w.users().orElse(List.of())), java.util.Set.copyOf(w.wikis().orElse(List.of()))),
                new PageSpikeRule(s.enabled(), s.severity(), s.cooldown().toSeconds(), s.minChanges(), s.factor(),
                        s.baselineWindows()),
                new BotSurgeRule(b.enabled(), b.severity(), b.cooldown().toSeconds(), b.minBotChanges(), b.minBotShare()),
                new MassBlankingRule(m.enabled(), m.severity(), m.cooldown().toSeconds(), m.minBytesRemoved(),
                        m.minPercentRemoved(), m.minOldLength()));
    }
}

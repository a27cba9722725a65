package io.pulse.alert;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;
import io.pulse.api.query.UserNames;

/**
 * A rule changed by JSON: fields present replace the current values, fields absent keep them. Every
 * invalid field is collected, so one 400 problem names them all. Pure; also reads stored rules.
 */
public final class RuleJson {

    private static final long MAX_COOLDOWN = 7 * 24 * 3600;

    private final JsonNode body;
    private final List<ParameterError> errors = new ArrayList<>();

    private RuleJson(JsonNode body) {
        this.body = body;
    }

    /**
     * A request's body as one JSON value, strictly: a field given twice, or anything after the value, is refused
     * (read leniently, the last of two fields won, and what followed the object was dropped, both unsaid). An empty
     * body is a missing node, refused by {@link #apply}.
     *
     * @throws InvalidParametersException naming the body, with where the JSON went wrong
     */
    public static JsonNode parse(ObjectMapper json, String body) {
        try {
            return json.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            // In words of our own: Jackson's messages name its classes and features, and echo the input.
            String message = String.valueOf(e.getOriginalMessage());
            String what = e instanceof MismatchedInputException && message.startsWith("Trailing token")
                    ? "something follows the object"
                    : message.startsWith("Duplicate field") ? "a field is given twice"
                    : "it is not valid JSON";
            var at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new InvalidParametersException(List.of(new ParameterError("body",
                    "must be one JSON object, each field once: " + what + where)));
        }
    }

    /** @throws InvalidParametersException naming each invalid field */
    public static Rule apply(Rule current, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidParametersException(List.of(new ParameterError("body", "must be a JSON object")));
        }
        RuleJson j = new RuleJson(body);
        j.unknownFields(current);
        boolean enabled = j.bool("enabled", current.enabled());
        Severity severity = j.severity(current.severity());
        long cooldown = j.integer("cooldownSeconds", current.cooldownSeconds(), 1, MAX_COOLDOWN);
        Rule rule;
        if (current instanceof WatchedUserRule r) {
            // As the feed spells them: a name stored as typed ("example_user") or a wiki in capitals never matched.
            rule = new WatchedUserRule(enabled, severity, cooldown, j.names("users", r.users(), UserNames::spelled),
                    j.names("wikis", r.wikis(), wiki -> wiki.strip().toLowerCase(Locale.ROOT)));
        } else if (current instanceof PageSpikeRule r) {
            rule = new PageSpikeRule(enabled, severity, cooldown, j.integer("minChanges", r.minChanges(), 1, 1_000_000),
                    j.decimal("factor", r.factor(), 0, 1000),
                    (int) j.integer("baselineWindows", r.baselineWindows(), 0, PageSpikeRule.MAX_BASELINE_WINDOWS));
        } else if (current instanceof BotSurgeRule r) {
            rule = new BotSurgeRule(enabled, severity, cooldown, j.integer("minBotChanges", r.minBotChanges(), 1, 100_000_000),
                    j.decimal("minBotShare", r.minBotShare(), 0, 1));
        } else {
            MassBlankingRule r = (MassBlankingRule) current;
            rule = new MassBlankingRule(enabled, severity, cooldown,
                    j.integer("minBytesRemoved", r.minBytesRemoved(), 1, Long.MAX_VALUE),
                    j.decimal("minPercentRemoved", r.minPercentRemoved(), 1, 100),
                    j.integer("minOldLength", r.minOldLength(), 0, Long.MAX_VALUE));
        }
        if (!j.errors.isEmpty()) {
            throw new InvalidParametersException(j.errors);
        }
        return rule;
    }

    private void unknownFields(Rule current) {
        Set<String> known = new LinkedHashSet<>(List.of("name", "enabled", "severity", "cooldownSeconds"));
        for (var component : current.getClass().getRecordComponents()) {
            known.add(component.getName());
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!known.contains(field)) {
                errors.add(new ParameterError(field, "unknown field; known: " + String.join(", ", known)));
            } else if ("name".equals(field) && !current.name().equals(body.get(field).asText())) {
                errors.add(new ParameterError(field, "must be " + current.name() + " (the rule's path)"));
            }
        }
    }

    private boolean bool(String field, boolean current) {
        JsonNode n = body.get(field);
        if (n == null) {
            return current;
        }
        if (!n.isBoolean()) {
            errors.add(new ParameterError(field, "must be true or false"));
            return current;
        }
        return n.booleanValue();
    }

    private Severity severity(Severity current) {
        JsonNode n = body.get("severity");
        if (n == null) {
            return current;
        }
        Severity s = n.isTextual() ? Severity.parse(n.textValue()) : null;
        if (s == null) {
            errors.add(new ParameterError("severity", "must be one of info, warning, critical"));
            return current;
        }
        return s;
    }

    private long integer(String field, long current, long min, long max) {
        JsonNode n = body.get(field);
        if (n == null) {
            return current;
        }
        if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            errors.add(new ParameterError(field, "must be an integer from " + min + " to " + max));
            return current;
        }
        return n.longValue();
    }

    private double decimal(String field, double current, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null) {
            return current;
        }
        if (!n.isNumber() || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            errors.add(new ParameterError(field, "must be a number from " + min + " to " + max));
            return current;
        }
        return n.doubleValue();
    }

    private Set<String> names(String field, Set<String> current, UnaryOperator<String> spelling) {
        JsonNode n = body.get(field);
        if (n == null) {
            return current;
        }
        Set<String> out = new LinkedHashSet<>();
        boolean valid = n.isArray() && n.size() <= 10_000;
        for (JsonNode e : valid ? n : List.<JsonNode> of()) {
            // Judged as spelled ("_" is an empty name). No control characters: MediaWiki allows none in names,
            // and PostgreSQL stores no NUL (a 500 before). No half of a surrogate pair alone (a JSON escape makes
            // one): the database client stores it as '?', and the rule in force watched another name than answered.
            String spelled = e.isTextual() ? spelling.apply(e.textValue()) : "";
            valid &= !spelled.isBlank() && spelled.length() <= 255 && spelled.chars().noneMatch(Character::isISOControl)
                    && spelled.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE);
            out.add(spelled);
        }
        if (!valid) {
            errors.add(new ParameterError(field,
                    "must be an array of at most 10000 non-blank strings of at most 255 characters, without control"
                            + " characters, in valid Unicode"));
            return current;
        }
        return out;
    }
}

package io.pulse.api.query;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;

/**
 * Parses single request parameters, collecting every error rather than stopping at the first, so
 * that one 400 answer lists them all. Error details describe what is expected and never echo the
 * value sent. One instance per request.
 */
final class ParameterParser {

    static final Pattern WIKI = Pattern.compile("[a-z0-9_.-]{1,64}");
    static final String WIKI_RULE = "wiki must be a wiki id such as enwiki or a domain such as en.wikipedia.org"
            + " (1 to 64 characters among a-z, 0-9, _, . and -)";
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([smhd])");
    private static final Pattern SMALL_NUMBER = Pattern.compile("[0-9]{1,6}");
    /**
     * Characters no MediaWiki user name holds (besides control characters): those no title may hold. Not
     * {@code @} and {@code =}, refused only for accounts created since, nor {@code >}, which names the wiki
     * of imported edits' users ({@code en>Someone}): such names are in the feed.
     */
    private static final String USER_FORBIDDEN = "#<[]|{}";
    private static final int MAX_USER_BYTES = 255;
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final List<ParameterError> errors = new ArrayList<>();

    void reject(String parameter, String detail) {
        errors.add(new ParameterError(parameter, detail));
    }

    void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new InvalidParametersException(errors);
        }
    }

    int limit(String raw, int defaultValue, int max) {
        if (raw == null) {
            return defaultValue;
        }
        int value = SMALL_NUMBER.matcher(raw).matches() ? Integer.parseInt(raw) : 0;
        if (value < 1 || value > max) {
            reject("limit", "limit must be a whole number from 1 to " + max);
        }
        return value;
    }

    /** The value of {@code options} named by {@code raw} (lower case), or the default when absent. */
    <E extends Enum<E>> E choice(String parameter, String raw, E defaultValue, List<E> options) {
        if (raw == null) {
            return defaultValue;
        }
        for (E option : options) {
            if (option.name().toLowerCase(Locale.ROOT).equals(raw)) {
                return option;
            }
        }
        reject(parameter, parameter + " must be one of " + options.stream()
                .map(o -> o.name().toLowerCase(Locale.ROOT)).toList());
        return defaultValue;
    }

    String wiki(String raw) {
        if (raw != null && !WIKI.matcher(raw).matches()) {
            reject("wiki", WIKI_RULE);
        }
        return raw;
    }

    /**
     * A MediaWiki user name, as MediaWiki writes it: underscores read as spaces (as in its URLs), runs of
     * spaces as one, the first letter upper case, an IPv6 address upper case. {@code ss112} asked for
     * nothing but {@code Ss112} has.
     */
    String user(String raw) {
        String name = raw == null ? "" : UserNames.spelled(raw);
        if (name.isEmpty()) {
            reject("user", "user must not be empty");
        } else if (name.getBytes(StandardCharsets.UTF_8).length > MAX_USER_BYTES) {
            reject("user", "user may not be longer than " + MAX_USER_BYTES + " bytes (UTF-8)");
        } else if (name.chars().anyMatch(c -> USER_FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c))) {
            reject("user", "user may not contain control characters nor any of " + USER_FORBIDDEN);
        }
        return name;
    }

    /**
     * {@code <n>s}, {@code <n>m}, {@code <n>h} or {@code <n>d}, positive; null when invalid. Seconds: a window
     * configured shorter than a minute, or not a whole number of them, is a step that must be asked for.
     */
    Duration duration(String parameter, String raw) {
        Matcher m = DURATION.matcher(raw);
        long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (n <= 0) {
            reject(parameter, parameter + " must be " + TimeRange.DURATION_FORMAT);
            return null;
        }
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** An ISO-8601 date-time with offset, such as 2026-01-31T12:00:00Z; null when invalid. */
    Instant instant(String parameter, String raw) {
        try {
            Instant t = parseInstant(raw);
            if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
                reject(parameter, parameter + " must be between 1970 and 9999");
                return null;
            }
            return t;
        } catch (DateTimeParseException e) {
            reject(parameter, parameter + " must be an ISO-8601 instant with an offset, such as 2026-01-31T12:00:00Z");
            return null;
        }
    }

    /**
     * An ISO-8601 date-time with offset. A {@code +} left unencoded in a query string arrives as a space
     * (form decoding): {@code 2026-01-31T12:00:00 01:00} can only be {@code +01:00}, and is read so.
     */
    static Instant parseInstant(String raw) {
        Matcher plus = UNENCODED_PLUS.matcher(raw);
        return OffsetDateTime.parse(plus.matches() ? plus.group(1) + "+" + plus.group(2) : raw).toInstant();
    }

    private static final Pattern UNENCODED_PLUS = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T[^ ]+) (\\d{2}:\\d{2})");

    /** In the form {@link #duration} reads: an answer's step can be sent back as it is. */
    static String format(Duration d) {
        long minutes = d.toMinutes();
        if (minutes * 60_000 != d.toMillis()) {
            return d.toSeconds() * 1000 == d.toMillis() ? d.toSeconds() + "s" : d.toString();
        }
        return minutes % 1440 == 0 ? minutes / 1440 + "d" : minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
    }
}

package io.pulse.api.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** User names spelled as MediaWiki spells them, and so as the feed carries them: the API's and the alert rules'. */
public final class UserNames {

    /** What MediaWiki's title parser reads as one space: underscores and Unicode's spaces (a no-break space, say). */
    private static final Pattern SPACES = Pattern.compile(
            "[ _\\x{A0}\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+");
    /** Direction marks, which MediaWiki's title parser drops: a name copied from a page may carry them. */
    private static final Pattern DIRECTION_MARKS = Pattern.compile("[\\x{200E}\\x{200F}\\x{202A}-\\x{202E}]");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV4_LEADING_ZEROS = Pattern.compile("(?<=^|\\.)0+(?=\\d)");

    /**
     * A user name as MediaWiki writes it: underscores and Unicode's spaces read as spaces (a name copied from a
     * page holds no-break spaces), runs of them as one, direction marks dropped, the first letter upper case, an IP
     * address sanitised (IPv4 without leading zeros, IPv6 upper case). Unchecked.
     */
    public static String spelled(String raw) {
        String marksDropped = DIRECTION_MARKS.matcher(raw).replaceAll("");
        return canonical(SPACES.matcher(marksDropped).replaceAll(" ").strip());
    }

    static String canonical(String name) {
        if (name.isEmpty() || name.indexOf('>') >= 0) {
            return name; // an imported edit's user keeps its wiki prefix as written: imported>Someone
        }
        if (IPV4.matcher(name).matches()) {
            return IPV4_LEADING_ZEROS.matcher(name).replaceAll(""); // as IPUtils::sanitizeIP: 010.001.0.1 is 10.1.0.1
        }
        String ip = ipv6(name);
        if (ip != null) {
            return ip;
        }
        int first = name.codePointAt(0);
        // MediaWiki keeps Georgian and Cherokee as written (its ucfirst overrides): Java would make
        // ვიკი Mtavruli, which no name in the feed is.
        if (first >= 0x10D0 && first <= 0x10FF || first >= 0xAB70 && first <= 0xABBF
                || first >= 0x13F8 && first <= 0x13FD) {
            return name;
        }
        return new StringBuilder(name.length()).appendCodePoint(Character.toUpperCase(first))
                .append(name, Character.charCount(first), name.length()).toString();
    }

    /**
     * An IPv6 address as MediaWiki writes an anonymous user (IPUtils::sanitizeIP): upper case, {@code ::}
     * expanded, leading zeros dropped, {@code 2601:680:4000:A780:0:0:0:1}; null when not one.
     */
    static String ipv6(String name) {
        String[] halves = name.split("::", -1);
        if (name.indexOf(':') < 0 || halves.length > 2) {
            return null;
        }
        List<String> head = halves[0].isEmpty() ? List.of() : List.of(halves[0].split(":", -1));
        List<String> tail = halves.length < 2 || halves[1].isEmpty() ? List.of() : List.of(halves[1].split(":", -1));
        int zeros = 8 - head.size() - tail.size();
        if (halves.length == 1 ? zeros != 0 : zeros < 1) {
            return null;
        }
        List<String> groups = new ArrayList<>(head);
        groups.addAll(Collections.nCopies(zeros, "0"));
        groups.addAll(tail);
        StringBuilder out = new StringBuilder();
        for (String group : groups) {
            if (!HEX_GROUP.matcher(group).matches()) {
                return null;
            }
            out.append(out.length() == 0 ? "" : ":")
                    .append(Integer.toHexString(Integer.parseInt(group, 16)).toUpperCase(Locale.ROOT));
        }
        return out.toString();
    }

    private UserNames() {
    }
}

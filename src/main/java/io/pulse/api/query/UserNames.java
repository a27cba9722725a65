package io.pulse.api.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** User names spelled as MediaWiki spells them, and so as the feed carries them: the API's and the alert rules'. */
public final class UserNames {

    private static final Pattern SPACES = Pattern.compile(" {2,}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");

    /**
     * A user name as MediaWiki writes it: underscores read as spaces (as in its URLs), runs of spaces as one,
     * the first letter upper case, an IPv6 address upper case. Unchecked.
     */
    public static String spelled(String raw) {
        return canonical(SPACES.matcher(raw.replace('_', ' ')).replaceAll(" ").strip());
    }

    static String canonical(String name) {
        if (name.isEmpty() || name.indexOf('>') >= 0) {
            return name; // an imported edit's user keeps its wiki prefix as written: imported>Someone
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

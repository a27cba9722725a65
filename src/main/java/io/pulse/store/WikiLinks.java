package io.pulse.store;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Links to pages and user pages, built as MediaWiki builds them: spaces become underscores, then
 * the title is percent-encoded (UTF-8), keeping the characters MediaWiki leaves readable (: and /).
 */
public final class WikiLinks {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Host names only: the domain comes from the feed unchecked, and "x@evil.example" would link to evil.example. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*");

    /** Null when the domain is unknown or not a host name. */
    public static String page(String domain, String title) {
        return domain == null || domain.length() > 253 || !HOST.matcher(domain).matches() ? null
                : "https://" + domain + "/wiki/" + encode(title.replace(' ', '_'));
    }

    public static String user(String domain, String user) {
        return page(domain, "User:" + user);
    }

    static String encode(String title) {
        StringBuilder out = new StringBuilder(title.length() + 16);
        for (byte b : title.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~:/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    private WikiLinks() {
    }
}

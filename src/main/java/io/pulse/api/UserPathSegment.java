package io.pulse.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The user of {@code /api/users/{user}/activity} as the client wrote it. The framework reads a {@code ;} in a path
 * segment as the start of matrix parameters and drops the rest: {@code /api/users/A;B/activity} answered for user A.
 * MediaWiki user names may hold {@code ;}, and clients send it unencoded (RFC 3986 allows it in a segment:
 * JavaScript's encodeURI, for one).
 */
final class UserPathSegment {

    private static final String BEFORE = "/api/users/";
    private static final String AFTER = "/activity";

    private UserPathSegment() {
    }

    /** The segment decoded when it holds a raw {@code ;}; else the framework's value, {@code decoded}. */
    static String user(String rawPath, String decoded) {
        int start = rawPath.indexOf(BEFORE);
        int end = rawPath.lastIndexOf(AFTER);
        if (start < 0 || end < start + BEFORE.length()) {
            return decoded;
        }
        String segment = rawPath.substring(start + BEFORE.length(), end);
        if (segment.indexOf(';') < 0) {
            return decoded;
        }
        try {
            // A path's "+" is a plus, not the space URLDecoder (made for forms) would read.
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) { // "%zz": the framework's reading stands
            return decoded;
        }
    }
}

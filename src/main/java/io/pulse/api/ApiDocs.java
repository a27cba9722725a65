package io.pulse.api;

/** Parameter and response descriptions shared by the endpoints' OpenAPI annotations. */
final class ApiDocs {

    static final String FROM = "Start of the range, an ISO-8601 instant with offset (2026-01-31T12:00:00Z);"
            + " floored to its window. Requires to; excludes last.";
    static final String TO = "End of the range (exclusive), an ISO-8601 instant with offset; ceiled to its window."
            + " Requires from.";
    static final String LAST = "The range ending now: a positive number of seconds, minutes, hours or days (15m, 1h, 24h,"
            + " 7d). Default 1h when neither last nor from/to is given. At most pulse.api.max-range (31d).";
    static final String WIKI = "Only this wiki, by id (enwiki) or by domain (en.wikipedia.org; a domain may"
            + " cover several wikis). Must match ^[a-z0-9_.-]{1,64}$. Default: all wikis.";
    static final String BOT = "Bot changes: include (default), exclude (humans only) or only (bots only).";
    static final String LIMIT = "Number of items, 1 to 100; default 10 (namespaces and types: 100). The answer's"
            + " truncated is true when there were more.";

    static final String OK = "The answer, with the range actually covered and the filters applied";
    static final String PROBLEM_400 = "Invalid parameter: an RFC 9457 problem whose member parameter names the"
            + " first offending parameter and errors lists all of them";
    static final String PROBLEM_500 = "Unexpected failure: an RFC 9457 problem with an incident id, no internals";
    static final String PROBLEM_503 = "The query ran longer than pulse.store.read-timeout (10 s by default) and was"
            + " cancelled: an RFC 9457 problem; ask for a shorter range. Or too many reads were in progress"
            + " (pulse.store.max-concurrent-reads and max-queued-reads): a problem with Retry-After";

    private ApiDocs() {
    }
}

package io.pulse.store;

/**
 * The one rule of every wiki filter (the API, the metrics stream, the alerts): a wiki is given by its
 * id (enwiki) or its domain (en.wikipedia.org), or not at all (null: every wiki).
 */
public final class WikiFilter {

    private WikiFilter() {
    }

    /** SQL true when the row's {@code column} is the wiki bound at {@code param} (e.g. "$2"), or it is null. */
    public static String sql(String column, String param) {
        return "(" + param + "::text IS NULL OR " + column + " = " + param + "::text OR " + column
                + " IN (SELECT d.wiki FROM wiki_domains d WHERE d.domain = " + param + "::text))";
    }
}

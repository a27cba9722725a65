package io.pulse.store;

/**
 * The one rule of every wiki filter (the API, the metrics stream, the alerts): a wiki is given by its
 * id (enwiki) or its domain (en.wikipedia.org), or not at all (null: every wiki).
 */
public final class WikiFilter {

    private WikiFilter() {
    }

    /**
     * SQL true when the row's {@code column} is the wiki bound at {@code param} (e.g. "$2"), or it is null.
     * The names it stands for are an array computed once, so the planner can look them up in an index on
     * the column: written as {@code column = $2 OR column IN (SELECT ...)}, the sub-select became a
     * filter on every row of the range, and a one-wiki series read every wiki's rows. Only a plan made with
     * the values can drop the "IS NULL" branch: the client's statements are unnamed (prepared statements are
     * not cached), so every one is.
     */
    public static String sql(String column, String param) {
        return "(" + param + "::text IS NULL OR " + column + " = ANY (ARRAY(SELECT " + param
                + "::text UNION SELECT d.wiki FROM wiki_domains d WHERE d.domain = " + param + "::text)))";
    }
}

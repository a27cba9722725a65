package io.pulse.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pulse.aggregate.Measures;
import io.pulse.aggregate.WindowKeys;
import io.pulse.aggregate.WindowedAggregates;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A batch's aggregates as the parameters of the upserts, rows sorted by key: built before the
 * transaction (sorting the keys and filling the arrays), sent within it.
 */
public final class EncodedAggregates {

    private static final EncodedAggregates NONE = new EncodedAggregates(List.of());

    /** {statement, parameters}, in lock order. */
    private final List<Map.Entry<String, Tuple>> statements;

    private EncodedAggregates(List<Map.Entry<String, Tuple>> statements) {
        this.statements = statements;
    }

    static EncodedAggregates of(WindowedAggregates a) {
        if (a.isEmpty()) {
            return NONE;
        }
        long size = a.windowSizeMs();
        // Fixed key order (the keys' natural order): concurrent replicas lock shared rows in the same
        // order and cannot deadlock.
        List<Map.Entry<WindowKeys.Wiki, Measures>> wikis = sorted(a.wikis());
        List<Map.Entry<WindowKeys.Type, Measures>> types = sorted(a.types());
        List<Map.Entry<WindowKeys.Namespace, Measures>> namespaces = sorted(a.namespaces());
        List<Map.Entry<WindowKeys.User, Measures>> users = sorted(a.users());
        List<Map.Entry<WindowKeys.Page, Measures>> pages = sorted(a.pages());

        Columns w = new Columns(wikis.size());
        wikis.forEach(e -> w.window(e.getKey().windowStart(), size).text(e.getKey().wiki())
                .measures(e.getValue(), true, true).number(e.getValue().lateEvents()).next());
        Columns t = new Columns(types.size());
        types.forEach(e -> t.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().type())
                .measures(e.getValue(), true, false).next());
        Columns n = new Columns(namespaces.size());
        namespaces.forEach(e -> n.window(e.getKey().windowStart(), size).text(e.getKey().wiki())
                .integer(e.getKey().namespace()).measures(e.getValue(), true, true).next());
        Columns u = new Columns(users.size());
        users.forEach(e -> u.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().user())
                .bool(e.getValue().anyBot()).measures(e.getValue(), false, true).next());
        Columns p = new Columns(pages.size());
        pages.forEach(e -> p.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().title())
                .integer(e.getValue().namespace()).measures(e.getValue(), true, true).next());
        List<String> wikiIds = a.wikiDomains().keySet().stream().sorted().toList();
        Columns domains = new Columns(wikiIds.size());
        wikiIds.forEach(id -> domains.text(id).text(a.wikiDomains().get(id)).next());

        List<Map.Entry<String, Tuple>> statements = new ArrayList<>();
        statements.add(Map.entry(UpsertStatements.WIKI, w.tuple()));
        statements.add(Map.entry(UpsertStatements.TYPE, t.tuple()));
        statements.add(Map.entry(UpsertStatements.NAMESPACE, n.tuple()));
        statements.add(Map.entry(UpsertStatements.PAGE, p.tuple()));
        if (!users.isEmpty()) {
            statements.add(Map.entry(UpsertStatements.USER, u.tuple()));
        }
        statements.add(Map.entry(UpsertStatements.WIKI_DOMAINS, domains.tuple()));
        return new EncodedAggregates(statements);
    }

    /** The upserts, sent at once on the transaction's connection; the caller appends the offset update. */
    List<Uni<Void>> write(SqlConnection conn) {
        List<Uni<Void>> work = new ArrayList<>(statements.size() + 2);
        statements.forEach(s -> work.add(conn.preparedQuery(s.getKey()).execute(s.getValue()).replaceWithVoid()));
        return work;
    }

    private static <K extends Comparable<K>> List<Map.Entry<K, Measures>> sorted(Map<K, Measures> map) {
        List<Map.Entry<K, Measures>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey());
        return entries;
    }
}

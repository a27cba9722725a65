package io.pulse.aggregate;

import java.util.HashMap;
import java.util.Map;

import io.pulse.source.wikimedia.RecentChange;

/**
 * In-batch aggregation: every change of a batch folded into per-window, per-dimension measures,
 * so that one upsert row carries many events. Each key appears once, as ON CONFLICT DO UPDATE needs.
 */
public final class WindowedAggregates {

    private final WindowSpec windows;
    final Map<WindowKeys.Wiki, Measures> wikis = new HashMap<>();
    final Map<WindowKeys.Type, Measures> types = new HashMap<>();
    final Map<WindowKeys.Namespace, Measures> namespaces = new HashMap<>();
    final Map<WindowKeys.User, Measures> users = new HashMap<>();
    final Map<WindowKeys.Page, Measures> pages = new HashMap<>();
    final Map<String, String> wikiDomains = new HashMap<>();
    private long events;
    private long lateEvents;

    public WindowedAggregates(WindowSpec windows) {
        this.windows = windows;
    }

    public void add(RecentChange c, boolean late) {
        long w = windows.windowStart(c.eventTimeMs());
        wikis.computeIfAbsent(new WindowKeys.Wiki(w, c.wiki()), k -> new Measures()).add(c, late);
        types.computeIfAbsent(new WindowKeys.Type(w, c.wiki(), c.type()), k -> new Measures()).add(c, late);
        namespaces.computeIfAbsent(new WindowKeys.Namespace(w, c.wiki(), c.namespace()), k -> new Measures())
                .add(c, late);
        pages.computeIfAbsent(new WindowKeys.Page(w, c.wiki(), c.title()), k -> new Measures()).add(c, late);
        if (c.user() != null) {
            users.computeIfAbsent(new WindowKeys.User(w, c.wiki(), c.user()), k -> new Measures()).add(c, late);
        }
        wikiDomains.putIfAbsent(c.wiki(), c.domain());
        events++;
        if (late) {
            lateEvents++;
        }
    }

    public long windowSizeMs() {
        return windows.sizeMs();
    }

    public Map<WindowKeys.Wiki, Measures> wikis() {
        return wikis;
    }

    public Map<WindowKeys.Type, Measures> types() {
        return types;
    }

    public Map<WindowKeys.Namespace, Measures> namespaces() {
        return namespaces;
    }

    public Map<WindowKeys.User, Measures> users() {
        return users;
    }

    public Map<WindowKeys.Page, Measures> pages() {
        return pages;
    }

    /** wiki id → domain (enwiki → en.wikipedia.org), so that queries can filter by either. */
    public Map<String, String> wikiDomains() {
        return wikiDomains;
    }

    public long events() {
        return events;
    }

    public long lateEvents() {
        return lateEvents;
    }

    public boolean isEmpty() {
        return events == 0;
    }

    /** For tests and diagnostics. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> m = new HashMap<>();
        m.put("wikis", wikis.size());
        m.put("users", users.size());
        m.put("pages", pages.size());
        return m;
    }
}

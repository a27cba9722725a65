package io.pulse.aggregate;

import io.pulse.source.wikimedia.RecentChange;

/** Additive measures of one window and dimension value. Mutable: used inside one batch only. */
public final class Measures {

    long changes;
    long botChanges;
    long bytesAdded;
    long bytesRemoved;
    long newPages;
    long lateEvents;
    boolean anyBot;
    int namespace = RecentChange.NO_NAMESPACE;

    void add(RecentChange c, boolean late) {
        changes++;
        if (c.bot()) {
            botChanges++;
            anyBot = true;
        }
        bytesAdded += c.bytesAdded();
        bytesRemoved += c.bytesRemoved();
        if (c.isNewPage()) {
            newPages++;
        }
        if (late) {
            lateEvents++;
        }
        namespace = c.namespace();
    }

    public long changes() {
        return changes;
    }

    public long botChanges() {
        return botChanges;
    }

    public long bytesAdded() {
        return bytesAdded;
    }

    public long bytesRemoved() {
        return bytesRemoved;
    }

    public long newPages() {
        return newPages;
    }

    public long lateEvents() {
        return lateEvents;
    }

    public boolean anyBot() {
        return anyBot;
    }

    public int namespace() {
        return namespace;
    }
}

package io.pulse.aggregate;

/** Keys of the aggregate tables: a window start (epoch ms) and the dimension values. */
public final class WindowKeys {

    public record Wiki(long windowStart, String wiki) {
    }

    public record Type(long windowStart, String wiki, String type) {
    }

    public record Namespace(long windowStart, String wiki, int namespace) {
    }

    public record User(long windowStart, String wiki, String user) {
    }

    public record Page(long windowStart, String wiki, String title) {
    }

    private WindowKeys() {
    }
}

package io.pulse.ingest;

/**
 * One dispatched Server-Sent Event.
 *
 * @param id          the last {@code id:} seen on the connection (SSE ids persist across events), or null
 * @param name        the {@code event:} field, or null for the default "message"
 * @param data        the {@code data:} lines joined with '\n' (truncated when {@link #oversized})
 * @param retryMs     the {@code retry:} field of this event, or -1
 * @param invalidUtf8 the data bytes were not valid UTF-8 (decoded with replacement characters)
 * @param oversized   the data exceeded the decoder's limit and was cut: the event cannot be trusted
 * @param sizeBytes   the full size of the data in bytes, even when cut
 */
public record SseEvent(String id, String name, String data, long retryMs, boolean invalidUtf8, boolean oversized,
        long sizeBytes) {

    public boolean isMalformed() {
        return invalidUtf8 || oversized;
    }

    public String problem() {
        if (oversized) {
            return "event data of " + sizeBytes + " bytes exceeds the limit";
        }
        return invalidUtf8 ? "event data is not valid UTF-8" : null;
    }
}

package io.pulse.alert;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads {@code length.old} from a raw event. {@code RecentChange} keeps only the delta; the alert
 * consumer re-reads the raw JSON for the few changes that remove bytes, which leaves the parser
 * shared with the aggregator untouched.
 */
final class LengthReader {

    private static final JsonFactory JSON = new JsonFactory();

    /** @return length.old, or null when absent, null or unreadable */
    static Long oldLength(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!"length".equals(name) || t != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if ("old".equals(field) && v == JsonToken.VALUE_NUMBER_INT) {
                        return p.getLongValue();
                    }
                    p.skipChildren();
                }
                return null;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private LengthReader() {
    }
}

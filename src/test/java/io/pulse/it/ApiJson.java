package io.pulse.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** GETs an API answer as a Jackson tree, and compares trees built the same way on both sides. */
final class ApiJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode get(String path, Map<String, ?> query) {
        String body = given().queryParams(query).get(path).then().statusCode(200).contentType("application/json")
                .extract().asString();
        return tree(body);
    }

    /** Through text, so that numbers compare alike whatever their Java type. */
    static JsonNode tree(Object value) {
        try {
            return JSON.readTree(value instanceof String s ? s : JSON.writeValueAsString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks each item's link (https://domain/wiki/prefix + name, spaces as underscores, percent-encoded)
     * and returns the items without it, for comparison with the expected ones.
     */
    static JsonNode withoutUrls(JsonNode items, String nameField, String prefix, Map<String, String> domains) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode item : items) {
            ObjectNode copy = item.deepCopy();
            String url = copy.remove("url").asText();
            String base = "https://" + domains.get(item.get("wiki").asText()) + "/wiki/";
            assertThat(url).startsWith(base);
            String path = url.substring(base.length());
            assertThat(path).matches("[A-Za-z0-9%_.~:/-]+");
            assertThat(URLDecoder.decode(path, StandardCharsets.UTF_8))
                    .isEqualTo((prefix + item.get(nameField).asText()).replace(' ', '_'));
            out.add(copy);
        }
        return out;
    }

    private ApiJson() {
    }
}

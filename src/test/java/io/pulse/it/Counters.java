package io.pulse.it;

import io.restassured.RestAssured;

/** Counters of a service under test, read from its Prometheus scrape ({@code /q/metrics}). */
final class Counters {

    private Counters() {
    }

    /** In the service of this test JVM (a {@code @QuarkusTest}). */
    static double sum(String name, String label) {
        return sum(RestAssured.get("/q/metrics").then().statusCode(200).extract().asString(), name, label);
    }

    /** The sum of the series of {@code name} whose labels include {@code label} (empty: all of them), in a scrape. */
    static double sum(String scrape, String name, String label) {
        return scrape.lines()
                .filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}

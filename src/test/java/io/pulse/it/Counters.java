package io.pulse.it;

import io.restassured.RestAssured;

/** Counters of the service under test, read from its Prometheus scrape ({@code /q/metrics}). */
final class Counters {

    private Counters() {
    }

    /** The sum of the series of {@code name} whose labels include {@code label} (empty: all of them). */
    static double sum(String name, String label) {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}

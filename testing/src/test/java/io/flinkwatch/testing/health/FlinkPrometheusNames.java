package io.flinkwatch.testing.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Flink metrics, as Flink 2.2's Prometheus reporter names them, that the Grafana dashboard may
 * query: {@code grafana/flink-prometheus-names.txt}, taken from a real scrape ({@code
 * OwnHealthMetricsITCase} checks every one against the reporter's output).
 */
final class FlinkPrometheusNames {

    static final String RESOURCE = "/grafana/flink-prometheus-names.txt";

    private FlinkPrometheusNames() {}

    static Set<String> declared() {
        try (InputStream in = FlinkPrometheusNames.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing");
            }
            Set<String> names = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

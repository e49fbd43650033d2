package io.flinkwatch.ingest.prometheus;

import java.util.Map;
import java.util.Objects;

/**
 * One sample of the Prometheus text exposition format: {@code name{label="value",...} value}.
 *
 * @param name metric name
 * @param labels label values by label name
 * @param value the sample value (may be NaN or infinite, as Prometheus allows)
 */
public record PrometheusSample(String name, Map<String, String> labels, double value) {

    public PrometheusSample {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
    }
}

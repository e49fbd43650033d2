package io.flinkwatch.alerts.event;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The observations behind an alert: numbers (the metric values and derived figures that made the
 * condition hold) and facts in words (such as the name of the bottleneck vertex).
 *
 * @param values named numbers, e.g. {@code busyTimeMsPerSecond -> 987}
 * @param facts named texts, e.g. {@code bottleneck -> "Sink: orders"}
 */
public record Evidence(Map<String, Double> values, Map<String, String> facts) {

    private static final Evidence NONE = new Evidence(Map.of(), Map.of());

    public Evidence {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(facts, "facts");
    }

    public static Evidence none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds evidence in a fixed (sorted) order so that equal evidence prints the same. */
    public static final class Builder {
        private final Map<String, Double> values = new TreeMap<>();
        private final Map<String, String> facts = new TreeMap<>();

        public Builder value(String name, double value) {
            values.put(name, value);
            return this;
        }

        public Builder fact(String name, String text) {
            if (text != null) {
                facts.put(name, text);
            }
            return this;
        }

        /** Adds every value and fact of {@code other} (nothing when null). */
        public Builder addAll(Evidence other) {
            if (other == null) {
                return this;
            }
            values.putAll(other.values());
            facts.putAll(other.facts());
            return this;
        }

        public Evidence build() {
            return new Evidence(Map.copyOf(values), Map.copyOf(facts));
        }
    }
}

package io.flinkwatch.testing.backtest;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * A range of a Kafka topic to record or backtest: from {@code start} (inclusive) to {@code end}
 * (exclusive) in every partition.
 *
 * @param bootstrapServers the cluster
 * @param topic the metrics topic
 * @param start where to start in each partition
 * @param end where to stop in each partition
 * @param clientProperties further Kafka client settings (security)
 */
public record TopicRange(
        String bootstrapServers,
        String topic,
        Position start,
        Position end,
        Properties clientProperties) {

    public TopicRange {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }

    /**
     * A position in every partition: the earliest or latest offset, the first record with a Kafka
     * timestamp at or after an instant, or offsets per partition.
     *
     * @param kind which of the four
     * @param time the instant, for {@link Kind#TIME}
     * @param offsets offset per partition, for {@link Kind#OFFSETS}; key -1 means every partition
     */
    public record Position(Kind kind, Instant time, Map<Integer, Long> offsets) {

        public Position {
            offsets = offsets == null ? Map.of() : Map.copyOf(offsets);
        }

        /** What a position is given by. */
        public enum Kind {
            EARLIEST,
            LATEST,
            TIME,
            OFFSETS
        }

        /**
         * Reads {@code earliest}, {@code latest}, an ISO-8601 instant ({@code
         * 2026-01-05T00:00:00Z}), an offset for every partition ({@code 1200}) or offsets by
         * partition ({@code 0:1200,1:1180}).
         */
        public static Position parse(String option, String text) {
            String value = text.trim();
            if (value.equalsIgnoreCase("earliest")) {
                return new Position(Kind.EARLIEST, null, null);
            }
            if (value.equalsIgnoreCase("latest")) {
                return new Position(Kind.LATEST, null, null);
            }
            try {
                if (value.contains("T")) {
                    return new Position(Kind.TIME, Instant.parse(value), null);
                }
                Map<Integer, Long> offsets = new HashMap<>();
                if (!value.contains(":")) {
                    offsets.put(-1, Long.parseLong(value));
                } else {
                    for (String pair : value.split(",")) {
                        String[] parts = pair.trim().split(":");
                        if (parts.length != 2) {
                            throw new IllegalArgumentException(pair);
                        }
                        offsets.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                    }
                }
                return new Position(Kind.OFFSETS, null, offsets);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "Invalid value '"
                                + text
                                + "' of "
                                + option
                                + ": expected earliest, latest, an ISO-8601 instant such as"
                                + " 2026-01-05T00:00:00Z, an offset, or offsets by partition"
                                + " such as 0:1200,1:1180.");
            }
        }
    }
}

package io.flinkwatch.ingest.publish;

import java.util.Map;
import java.util.Objects;

/**
 * Where and how a publisher sends snapshots.
 *
 * @param bootstrapServers Kafka bootstrap servers of the metrics topic
 * @param topic the metrics topic Flinkwatch reads
 * @param bufferCapacity snapshots held while Kafka is slow or down; further ones are dropped and
 *     counted, so that publishing never waits
 * @param producerOverrides extra Kafka producer properties (e.g. security settings); they win over
 *     the publisher's defaults
 */
public record PublisherSettings(
        String bootstrapServers, String topic, int bufferCapacity, Map<String, String> producerOverrides) {

    public static final String DEFAULT_TOPIC = "flink-metrics";
    public static final int DEFAULT_BUFFER_CAPACITY = 10_000;

    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        producerOverrides = Map.copyOf(producerOverrides);
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty");
        }
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        if (bufferCapacity < 1) {
            throw new IllegalArgumentException("buffer capacity must be at least 1, was " + bufferCapacity);
        }
    }

    public static PublisherSettings of(String bootstrapServers, String topic) {
        return new PublisherSettings(bootstrapServers, topic, DEFAULT_BUFFER_CAPACITY, Map.of());
    }
}

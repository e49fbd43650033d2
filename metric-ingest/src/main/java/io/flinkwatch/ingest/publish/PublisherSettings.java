package io.flinkwatch.ingest.publish;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how a publisher sends snapshots.
 *
 * @param bootstrapServers Kafka bootstrap servers of the metrics topic
 * @param topic the metrics topic Flinkwatch reads
 * @param bufferCapacity snapshots held while Kafka is slow or down; further ones are dropped and
 *     counted, so that publishing never waits
 * @param maxAge snapshots that waited longer than this in the buffer are dropped and counted: after
 *     an outage, Flinkwatch's event time has passed them (they would be dead letters)
 * @param producerOverrides extra Kafka producer properties (e.g. security settings); they win over
 *     the publisher's defaults
 */
public record PublisherSettings(
        String bootstrapServers,
        String topic,
        int bufferCapacity,
        Duration maxAge,
        Map<String, String> producerOverrides) {

    public static final String DEFAULT_TOPIC = "flink-metrics";
    public static final int DEFAULT_BUFFER_CAPACITY = 10_000;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(1);

    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(maxAge, "maxAge");
        producerOverrides = Map.copyOf(producerOverrides);
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty");
        }
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        if (bufferCapacity < 1) {
            throw new IllegalArgumentException(
                    "buffer capacity must be at least 1, was " + bufferCapacity);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("max age must be positive, was " + maxAge);
        }
    }

    /**
     * Reads {@code bootstrap-servers}, {@code topic}, {@code buffer-capacity}, {@code max-age} and
     * {@code producer.*} (Kafka producer properties).
     */
    public static PublisherSettings from(Settings settings) {
        return new PublisherSettings(
                settings.required(
                        "bootstrap-servers",
                        "the Kafka bootstrap servers of the metrics topic, e.g. kafka:9092"),
                settings.string("topic", DEFAULT_TOPIC),
                settings.integer("buffer-capacity", DEFAULT_BUFFER_CAPACITY, 1, 10_000_000),
                settings.duration(
                        "max-age", DEFAULT_MAX_AGE, Duration.ofSeconds(1), Duration.ofHours(1)),
                settings.withPrefix("producer."));
    }

    public static PublisherSettings of(String bootstrapServers, String topic) {
        return new PublisherSettings(
                bootstrapServers, topic, DEFAULT_BUFFER_CAPACITY, DEFAULT_MAX_AGE, Map.of());
    }
}

package io.flinkwatch.ingest.publish;

import io.flinkwatch.ingest.KafkaClientProperties;
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
 * @param kafka Kafka client settings ({@code kafka.properties.*} and {@code kafka.properties-file},
 *     security say), as the Flinkwatch job takes them; they win over the publisher's defaults
 */
public record PublisherSettings(
        String bootstrapServers,
        String topic,
        int bufferCapacity,
        Duration maxAge,
        KafkaClientProperties kafka) {

    public static final String DEFAULT_TOPIC = "flink-metrics";
    public static final int DEFAULT_BUFFER_CAPACITY = 10_000;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(1);

    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(kafka, "kafka");
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

    /** Kafka settings a publisher controls itself, each with what to do instead. */
    public static final Map<String, String> RESERVED_KAFKA_SETTINGS =
            Map.of(
                    "bootstrap.servers", "use bootstrap-servers",
                    "key.serializer", "snapshots are written as JSON bytes",
                    "value.serializer", "snapshots are written as JSON bytes");

    /**
     * Reads {@code bootstrap-servers}, {@code topic}, {@code buffer-capacity}, {@code max-age},
     * {@code kafka.properties.*} and {@code kafka.properties-file} (Kafka client settings).
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
                kafka(settings, "kafka."));
    }

    /**
     * Kafka client settings under {@code <prefix>properties.*} and {@code <prefix>properties-file},
     * checked.
     */
    public static KafkaClientProperties kafka(Settings settings, String prefix) {
        return KafkaClientProperties.of(
                settings.withPrefix(prefix + "properties."),
                settings.string(prefix + "properties-file", ""),
                RESERVED_KAFKA_SETTINGS,
                new KafkaClientProperties.Naming(
                        settings.nameOf(prefix + "properties."),
                        settings.nameOf(prefix + "properties-file")));
    }

    public static PublisherSettings of(String bootstrapServers, String topic) {
        return new PublisherSettings(
                bootstrapServers,
                topic,
                DEFAULT_BUFFER_CAPACITY,
                DEFAULT_MAX_AGE,
                KafkaClientProperties.none());
    }
}

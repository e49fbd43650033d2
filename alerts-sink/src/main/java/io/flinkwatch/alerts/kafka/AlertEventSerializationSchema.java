package io.flinkwatch.alerts.kafka;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes alert events to a Kafka topic as JSON, keyed by fingerprint: all events of one alert land
 * in one partition, in order.
 */
public final class AlertEventSerializationSchema
        implements KafkaRecordSerializationSchema<AlertEvent>, KafkaDatasetFacetProvider {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public AlertEventSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            AlertEvent event, KafkaSinkContext context, Long timestamp) {
        // No record timestamp: alerts of replayed old incidents must not fall under retention at
        // once.
        return new ProducerRecord<>(
                topic,
                null,
                null,
                event.fingerprint().getBytes(StandardCharsets.UTF_8),
                AlertJson.toJson(event));
    }

    /**
     * The topic written to: the sink's pooled transactional ids are found by it after a restart.
     */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}

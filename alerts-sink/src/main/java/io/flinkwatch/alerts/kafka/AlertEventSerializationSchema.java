package io.flinkwatch.alerts.kafka;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes alert events to a Kafka topic as JSON, keyed by fingerprint: all events of one alert land
 * in one partition, in order.
 */
public final class AlertEventSerializationSchema
        implements KafkaRecordSerializationSchema<AlertEvent> {

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
}

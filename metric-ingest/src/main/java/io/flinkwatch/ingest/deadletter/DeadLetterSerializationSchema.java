package io.flinkwatch.ingest.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes dead letters to a Kafka topic as JSON, keyed by their source topic and partition. */
public final class DeadLetterSerializationSchema
        implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        byte[] key = (letter.topic() + "-" + letter.partition()).getBytes(StandardCharsets.UTF_8);
        // No record timestamp: dead letters of replayed old data must not fall under retention at
        // once.
        return new ProducerRecord<>(topic, null, null, key, DeadLetterJson.toJson(letter));
    }
}

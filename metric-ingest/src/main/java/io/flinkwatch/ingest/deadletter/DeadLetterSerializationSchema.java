package io.flinkwatch.ingest.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes dead letters to a Kafka topic as JSON, keyed by their source topic and partition. */
public final class DeadLetterSerializationSchema
        implements KafkaRecordSerializationSchema<DeadLetter>, KafkaDatasetFacetProvider {

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

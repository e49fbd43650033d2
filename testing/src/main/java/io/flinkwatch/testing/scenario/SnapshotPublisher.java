package io.flinkwatch.testing.scenario;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes snapshots to a metrics topic the way a real publisher should: keyed by cluster and
 * job, so that one job's snapshots stay in order in one partition.
 */
public final class SnapshotPublisher {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public SnapshotPublisher(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public void publish(MetricSnapshot snapshot) {
        publishCounted(snapshot);
    }

    /** Publishes a snapshot and returns its size in bytes. */
    public int publishCounted(MetricSnapshot snapshot) {
        byte[] json = SnapshotWriter.toJson(snapshot);
        producer.send(
                new ProducerRecord<>(
                        topic, (snapshot.cluster() + "/" + snapshot.job().name()).getBytes(StandardCharsets.UTF_8), json));
        return json.length;
    }

    public void publish(List<MetricSnapshot> snapshots) {
        snapshots.forEach(this::publish);
    }

    /** Publishes raw bytes, e.g. a malformed record. */
    public void publishRaw(String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    public void flush() {
        producer.flush();
    }
}

package io.flinkwatch.testing.scenario;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes snapshots to a metrics topic the way a real publisher should: keyed by cluster and job,
 * so that one job's snapshots stay in order in one partition. Tests that need to know which
 * partition carries what pin the publisher to one partition instead.
 */
public final class SnapshotPublisher {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    @Nullable private final Integer partition;

    public SnapshotPublisher(KafkaProducer<byte[], byte[]> producer, String topic) {
        this(producer, topic, null);
    }

    private SnapshotPublisher(
            KafkaProducer<byte[], byte[]> producer, String topic, @Nullable Integer partition) {
        this.producer = producer;
        this.topic = topic;
        this.partition = partition;
    }

    /** A publisher that sends every record to {@code partition}, whatever its key. */
    public static SnapshotPublisher toPartition(
            KafkaProducer<byte[], byte[]> producer, String topic, int partition) {
        return new SnapshotPublisher(producer, topic, partition);
    }

    public void publish(MetricSnapshot snapshot) {
        publishCounted(snapshot);
    }

    /** Publishes a snapshot and returns its size in bytes. */
    public int publishCounted(MetricSnapshot snapshot) {
        return publishCounted(snapshot, null);
    }

    /**
     * Publishes a snapshot, tells {@code delivered} (may be null) whether the broker acknowledged
     * it, and returns its size in bytes.
     */
    public int publishCounted(MetricSnapshot snapshot, @Nullable Callback delivered) {
        byte[] json = SnapshotWriter.toJson(snapshot);
        producer.send(new ProducerRecord<>(topic, partition, key(snapshot), json), delivered);
        return json.length;
    }

    /** The record key: cluster and job, so that one job's snapshots stay in one partition. */
    public static byte[] key(MetricSnapshot snapshot) {
        return (snapshot.cluster() + "/" + snapshot.job().name()).getBytes(StandardCharsets.UTF_8);
    }

    public void publish(List<MetricSnapshot> snapshots) {
        snapshots.forEach(this::publish);
    }

    /** Publishes raw bytes, e.g. a malformed record. */
    public void publishRaw(String key, byte[] value) {
        send(key.getBytes(StandardCharsets.UTF_8), value);
    }

    private void send(byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, partition, key, value));
    }

    public void flush() {
        producer.flush();
    }
}

package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.snapshot.SnapshotParser;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Kafka source that reads metric snapshots. */
public final class MetricSnapshotSource {

    /** Where a consumer group without committed offsets starts. */
    public enum StartingOffsets {
        /** The group's committed offsets, or the earliest where it has none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    private MetricSnapshotSource() {}

    /**
     * @param bootstrapServers Kafka bootstrap servers
     * @param topics topics carrying snapshots
     * @param groupId consumer group (offsets are committed on checkpoints, for lag tools only)
     * @param startingOffsets where to start
     * @param bounded stop at the offsets that are latest when the job starts (for replays)
     * @param parser the snapshot parser with its limits
     * @param clocks how event time is kept per monitored job
     * @param consumerProperties further Kafka consumer properties (security, for example)
     */
    public static KafkaSource<IngestedRecord> create(
            String bootstrapServers,
            List<String> topics,
            String groupId,
            StartingOffsets startingOffsets,
            boolean bounded,
            SnapshotParser parser,
            SnapshotDeserializationSchema.ClockSettings clocks,
            Properties consumerProperties) {
        KafkaSourceBuilder<IngestedRecord> builder =
                KafkaSource.<IngestedRecord>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setClientIdPrefix(groupId)
                        .setProperties(consumerProperties)
                        .setStartingOffsets(
                                switch (startingOffsets) {
                                    case COMMITTED ->
                                            OffsetsInitializer.committedOffsets(
                                                    OffsetResetStrategy.EARLIEST);
                                    case EARLIEST -> OffsetsInitializer.earliest();
                                    case LATEST -> OffsetsInitializer.latest();
                                })
                        .setDeserializer(
                                new SnapshotDeserializationSchema(
                                        parser, clocks, Clock.systemUTC()));
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }
}

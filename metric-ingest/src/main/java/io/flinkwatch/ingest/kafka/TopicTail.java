package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Finds the newest snapshot timestamp at the end of the metrics topics: where event time ends when
 * a recording is replayed up to the topics' current end. Reads only the last records of each
 * partition.
 */
public final class TopicTail {

    private TopicTail() {}

    /**
     * @param recordsPerPartition how many of the last records of each partition to read
     * @return the newest valid snapshot timestamp among them, or empty if there is none
     */
    public static OptionalLong newestTimestamp(
            String bootstrapServers,
            List<String> topics,
            SnapshotParser parser,
            Properties consumerProperties,
            int recordsPerPartition) {
        Properties props = new Properties();
        props.putAll(consumerProperties);
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long newest = Long.MIN_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            Map<TopicPartition, Long> ends =
                    consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> begins =
                    consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> remaining = new HashMap<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition);
                long start = Math.max(begins.get(partition), end - recordsPerPartition);
                if (start < end) {
                    starts.put(partition, start);
                    remaining.put(partition, end);
                }
            }
            consumer.assign(List.copyOf(starts.keySet()));
            starts.forEach(consumer::seek);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    try {
                        newest = Math.max(newest, parser.parse(record.value()).timestamp());
                    } catch (InvalidSnapshotException e) {
                        // The job will dead-letter it; it carries no event time.
                    }
                }
                remaining.keySet().removeIf(p -> consumer.position(p) >= remaining.get(p));
            }
        }
        return newest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(newest);
    }
}

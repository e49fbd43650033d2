package io.flinkwatch.testing.backtest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a range of a metrics topic into a {@link Recording}. Reads with an assigned consumer (no
 * group, nothing committed): recording never moves a production consumer group.
 */
public final class TopicRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(TopicRecorder.class);

    private TopicRecorder() {}

    /** Writes the records of {@code range} to {@code out}; returns how many. */
    public static long record(TopicRange range, Recording.Writer out) throws IOException {
        Properties props = new Properties();
        props.putAll(range.clientProperties());
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, range.bootstrapServers());
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos =
                    consumer.partitionsFor(range.topic(), Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException(
                        "Topic '"
                                + range.topic()
                                + "' does not exist at "
                                + range.bootstrapServers());
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(range.topic(), info.partition()));
            }
            Map<TopicPartition, Long> starts = resolve(consumer, partitions, range.start(), true);
            Map<TopicPartition, Long> ends = resolve(consumer, partitions, range.end(), false);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            long total = 0;
            for (TopicPartition partition : partitions) {
                long start = starts.get(partition);
                long end = ends.get(partition);
                if (start < end) {
                    remaining.put(partition, end);
                    total += end - start;
                }
            }
            LOG.info(
                    "Recording {} records of topic {} ({} partitions)",
                    total,
                    range.topic(),
                    remaining.size());
            consumer.assign(List.copyOf(remaining.keySet()));
            remaining.keySet().forEach(p -> consumer.seek(p, starts.get(p)));
            long written = 0;
            long nextReport = 100_000;
            long idleSince = System.nanoTime();
            while (!remaining.isEmpty()) {
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition =
                            new TopicPartition(record.topic(), record.partition());
                    Long end = remaining.get(partition);
                    if (end == null || record.offset() >= end) {
                        continue;
                    }
                    any = true;
                    if (record.value() != null) {
                        out.write(record.value());
                        written++;
                    }
                }
                for (TopicPartition partition : List.copyOf(remaining.keySet())) {
                    if (consumer.position(partition) >= remaining.get(partition)) {
                        remaining.remove(partition);
                        consumer.pause(List.of(partition));
                    }
                }
                if (written >= nextReport) {
                    LOG.info("Recorded {} of {} records", written, total);
                    nextReport += 100_000;
                }
                if (any) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince > Duration.ofMinutes(2).toNanos()) {
                    // Transaction markers and aborted records take offsets but are never returned:
                    // a partition whose position passed them is done above; this is a dead broker.
                    throw new IOException(
                            "no records from "
                                    + range.topic()
                                    + " for 2 minutes; still missing "
                                    + remaining);
                }
            }
            LOG.info("Recorded {} records of topic {}", written, range.topic());
            return written;
        }
    }

    private static Map<TopicPartition, Long> resolve(
            KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions,
            TopicRange.Position position,
            boolean start) {
        Map<TopicPartition, Long> begins =
                consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        Map<TopicPartition, Long> resolved = new HashMap<>();
        switch (position.kind()) {
            case EARLIEST -> resolved.putAll(begins);
            case LATEST -> resolved.putAll(ends);
            case TIME -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, position.time().toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found =
                        consumer.offsetsForTimes(query, Duration.ofSeconds(30));
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp at = found.get(partition);
                    resolved.put(partition, at == null ? ends.get(partition) : at.offset());
                }
            }
            case OFFSETS -> {
                for (TopicPartition partition : partitions) {
                    Long offset =
                            position.offsets()
                                    .getOrDefault(
                                            partition.partition(), position.offsets().get(-1));
                    // A partition not named: all of it.
                    resolved.put(
                            partition,
                            offset != null
                                    ? offset
                                    : start ? begins.get(partition) : ends.get(partition));
                }
            }
        }
        // Clamp into what the partition holds, so that a range beyond retention still works.
        resolved.replaceAll((p, offset) -> Math.max(begins.get(p), Math.min(ends.get(p), offset)));
        return resolved;
    }
}

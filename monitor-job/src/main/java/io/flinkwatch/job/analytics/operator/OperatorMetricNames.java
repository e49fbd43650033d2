package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import javax.annotation.Nullable;

/**
 * Recognises the operator metrics the operator family reads, whether a publisher sends them under
 * their bare name ({@code records-lag-max}) or with their metric-group path ({@code
 * KafkaSourceReader.KafkaConsumer.records-lag-max}), and the Kafka source's per-partition offsets.
 */
public final class OperatorMetricNames {

    private OperatorMetricNames() {}

    public static boolean isLag(String name) {
        return FlinkMetricNames.isNamed(name, FlinkMetricNames.RECORDS_LAG_MAX);
    }

    public static boolean isPendingRecords(String name) {
        return FlinkMetricNames.isNamed(name, FlinkMetricNames.PENDING_RECORDS);
    }

    public static boolean isEmitLag(String name) {
        return FlinkMetricNames.isNamed(name, FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);
    }

    public static boolean isConsumedRate(String name) {
        return FlinkMetricNames.isNamed(name, FlinkMetricNames.RECORDS_CONSUMED_RATE);
    }

    public static boolean isCompactionPending(String name) {
        return FlinkMetricNames.isNamed(name, FlinkMetricNames.ROCKSDB_COMPACTION_PENDING);
    }

    /** The consumer-group lag poller's estimate of how far behind a consumer is, in seconds. */
    public static boolean isLagSeconds(String name) {
        return name.equals(FlinkMetricNames.CONSUMER_GROUP_LAG_SECONDS);
    }

    /**
     * A Kafka source partition offset gauge.
     *
     * @param partition the topic and partition, as {@code <topic>/<partition>}
     * @param committed whether it is the committed offset (else the current one)
     */
    public record PartitionOffset(String partition, boolean committed) {}

    /** Bounds the memory of parsed offset names; forgetting only means parsing again. */
    private static final int MAX_REMEMBERED_OFFSET_NAMES = 10_000;

    /**
     * Offset gauge names as parsed, shared by the subtasks of a TaskManager: a source reports the
     * same names every time, and matching the pattern cost more than the rest of a sample.
     */
    private static final Map<String, Optional<PartitionOffset>> OFFSET_NAMES =
            new ConcurrentHashMap<>();

    /** The partition offset gauge {@code name} is, or null when it is none. */
    @Nullable
    public static PartitionOffset partitionOffset(String name) {
        if (!name.endsWith("Offset")) {
            return null;
        }
        Optional<PartitionOffset> known = OFFSET_NAMES.get(name);
        if (known == null) {
            Matcher offset = FlinkMetricNames.partitionOffset(name);
            known =
                    offset.matches()
                            ? Optional.of(
                                    new PartitionOffset(
                                            offset.group(1) + "/" + offset.group(2),
                                            offset.group(3).equals("committedOffset")))
                            : Optional.empty();
            if (OFFSET_NAMES.size() >= MAX_REMEMBERED_OFFSET_NAMES) {
                OFFSET_NAMES.clear();
            }
            OFFSET_NAMES.put(name, known);
        }
        return known.orElse(null);
    }

    public static boolean isRelevant(String name) {
        return isLag(name)
                || isPendingRecords(name)
                || isEmitLag(name)
                || isConsumedRate(name)
                || isCompactionPending(name)
                || isLagSeconds(name)
                || partitionOffset(name) != null;
    }
}

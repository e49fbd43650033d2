package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import java.util.regex.Matcher;

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
     * A partition offset gauge: groups 1 topic, 2 partition, 3 currentOffset or committedOffset.
     */
    public static Matcher partitionOffset(String name) {
        return FlinkMetricNames.partitionOffset(name);
    }

    public static boolean isRelevant(String name) {
        return isLag(name)
                || isConsumedRate(name)
                || isCompactionPending(name)
                || isLagSeconds(name)
                || (name.endsWith("Offset") && partitionOffset(name).matches());
    }
}

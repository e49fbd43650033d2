package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the operator metrics the operator family reads, whether a publisher sends them under
 * their bare name ({@code records-lag-max}) or with their metric-group path ({@code
 * KafkaSourceReader.KafkaConsumer.records-lag-max}), and the Kafka source's per-partition offsets.
 */
public final class OperatorMetricNames {

    private static final Pattern PARTITION_OFFSET =
            Pattern.compile("(?:^|.*\\.)topic\\.(.+)\\.partition\\.(\\d+)\\.(currentOffset|committedOffset)$");

    private OperatorMetricNames() {}

    public static boolean isLag(String name) {
        return is(name, FlinkMetricNames.RECORDS_LAG_MAX);
    }

    public static boolean isConsumedRate(String name) {
        return is(name, FlinkMetricNames.RECORDS_CONSUMED_RATE);
    }

    public static boolean isCompactionPending(String name) {
        return is(name, FlinkMetricNames.ROCKSDB_COMPACTION_PENDING);
    }

    /** A partition offset gauge: groups 1 topic, 2 partition, 3 currentOffset or committedOffset. */
    public static Matcher partitionOffset(String name) {
        return PARTITION_OFFSET.matcher(name);
    }

    public static boolean isRelevant(String name) {
        return isLag(name) || isConsumedRate(name) || isCompactionPending(name) || (name.endsWith("Offset") && partitionOffset(name).matches());
    }

    private static boolean is(String name, String metric) {
        return name.equals(metric) || (name.endsWith(metric) && name.charAt(name.length() - metric.length() - 1) == '.');
    }
}

package io.flinkwatch.ingest.snapshot;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the Flink 2.2 metrics Flinkwatch reads, as Flink registers them. Snapshots carry them
 * under these names; publishers map other naming schemes (such as Prometheus') back to them.
 *
 * <p>Flink 1.20 registers the same names, except {@link #LAST_CHECKPOINT_COMPLETED_TIMESTAMP},
 * which it does not have (docs/compatibility.md; the rules fall back on {@link
 * #NUMBER_OF_COMPLETED_CHECKPOINTS}).
 */
public final class FlinkMetricNames {

    // Job level (JobManager).
    public static final String UPTIME = "uptime";
    public static final String RUNNING_TIME = "runningTime";
    public static final String NUM_RESTARTS = "numRestarts";
    public static final String LAST_CHECKPOINT_DURATION = "lastCheckpointDuration";
    public static final String LAST_CHECKPOINT_SIZE = "lastCheckpointSize";
    public static final String LAST_CHECKPOINT_FULL_SIZE = "lastCheckpointFullSize";
    public static final String LAST_CHECKPOINT_COMPLETED_TIMESTAMP =
            "lastCheckpointCompletedTimestamp";
    public static final String NUMBER_OF_COMPLETED_CHECKPOINTS = "numberOfCompletedCheckpoints";
    public static final String NUMBER_OF_FAILED_CHECKPOINTS = "numberOfFailedCheckpoints";
    public static final String NUMBER_OF_IN_PROGRESS_CHECKPOINTS = "numberOfInProgressCheckpoints";
    public static final String TOTAL_NUMBER_OF_CHECKPOINTS = "totalNumberOfCheckpoints";

    // Task level (TaskManager, one per subtask).
    public static final String NUM_RECORDS_IN_PER_SECOND = "numRecordsInPerSecond";
    public static final String NUM_RECORDS_OUT_PER_SECOND = "numRecordsOutPerSecond";
    public static final String BUSY_TIME_MS_PER_SECOND = "busyTimeMsPerSecond";
    public static final String BACK_PRESSURED_TIME_MS_PER_SECOND = "backPressuredTimeMsPerSecond";
    public static final String IDLE_TIME_MS_PER_SECOND = "idleTimeMsPerSecond";
    public static final String IS_BACK_PRESSURED = "isBackPressured";

    /** Nanoseconds the last barrier alignment took (tasks with network inputs only). */
    public static final String CHECKPOINT_ALIGNMENT_TIME = "checkpointAlignmentTime";

    // Operator level: Kafka source (the consumer metrics keep Kafka's dashed names).
    public static final String RECORDS_LAG_MAX = "records-lag-max";
    public static final String RECORDS_CONSUMED_RATE = "records-consumed-rate";
    public static final String PENDING_RECORDS = "pendingRecords";

    /**
     * Milliseconds between now and the event time of the record the source emitted last (FLIP-33,
     * every FLIP-27 source whose records carry timestamps, such as the Kafka source): how far
     * behind the source is in time. Flink computes it when it is read, so it is fresh even while
     * the source is backpressured and its consumer metrics are stale.
     */
    public static final String CURRENT_EMIT_EVENT_TIME_LAG = "currentEmitEventTimeLag";

    // Operator level: RocksDB native metrics (prefixed by the column family when Flink reports
    // them).
    public static final String ROCKSDB_COMPACTION_PENDING = "rocksdb.compaction-pending";

    // Operator level, from the consumer-group lag poller (external snapshots): records-lag-max and
    // records-consumed-rate as the Kafka consumer names them, plus these two.
    /** Records behind, summed over the topic's partitions. */
    public static final String CONSUMER_GROUP_LAG = "consumer-group-lag";

    /** Estimated seconds the slowest partition's consumer is behind its producers. */
    public static final String CONSUMER_GROUP_LAG_SECONDS = "consumer-group-lag-seconds";

    /** The job-level metrics Flinkwatch reads. */
    public static final Set<String> JOB_METRICS =
            Set.of(
                    UPTIME,
                    RUNNING_TIME,
                    NUM_RESTARTS,
                    LAST_CHECKPOINT_DURATION,
                    LAST_CHECKPOINT_SIZE,
                    LAST_CHECKPOINT_FULL_SIZE,
                    LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                    NUMBER_OF_COMPLETED_CHECKPOINTS,
                    NUMBER_OF_FAILED_CHECKPOINTS,
                    NUMBER_OF_IN_PROGRESS_CHECKPOINTS,
                    TOTAL_NUMBER_OF_CHECKPOINTS);

    /** The task-level metrics Flinkwatch reads. */
    public static final Set<String> TASK_METRICS =
            Set.of(
                    NUM_RECORDS_IN_PER_SECOND,
                    NUM_RECORDS_OUT_PER_SECOND,
                    BUSY_TIME_MS_PER_SECOND,
                    BACK_PRESSURED_TIME_MS_PER_SECOND,
                    IDLE_TIME_MS_PER_SECOND,
                    IS_BACK_PRESSURED,
                    CHECKPOINT_ALIGNMENT_TIME);

    /**
     * The operator-level metrics Flinkwatch reads, by their own name; publishers may prefix them
     * with their metric-group path (see {@link #isNamed}).
     */
    public static final Set<String> OPERATOR_METRICS =
            Set.of(
                    RECORDS_LAG_MAX,
                    RECORDS_CONSUMED_RATE,
                    PENDING_RECORDS,
                    CURRENT_EMIT_EVENT_TIME_LAG,
                    ROCKSDB_COMPACTION_PENDING,
                    CONSUMER_GROUP_LAG,
                    CONSUMER_GROUP_LAG_SECONDS);

    /** The Kafka source's per-partition offset gauges. */
    private static final Pattern PARTITION_OFFSET =
            Pattern.compile(
                    "(?:^|.*\\.)topic\\.(.+)\\.partition\\.(\\d+)\\.(currentOffset|committedOffset)$");

    private FlinkMetricNames() {}

    /**
     * Whether {@code name} is {@code metric}, under its bare name ({@code records-lag-max}) or with
     * its metric-group path ({@code KafkaSourceReader.KafkaConsumer.records-lag-max}).
     */
    public static boolean isNamed(String name, String metric) {
        return name.equals(metric)
                || (name.endsWith(metric)
                        && name.length() > metric.length()
                        && name.charAt(name.length() - metric.length() - 1) == '.');
    }

    /**
     * A Kafka source partition offset gauge ({@code ...topic.<t>.partition.<p>.currentOffset}):
     * groups 1 topic, 2 partition, 3 {@code currentOffset} or {@code committedOffset}.
     */
    public static Matcher partitionOffset(String name) {
        return PARTITION_OFFSET.matcher(name);
    }

    /**
     * Whether Flinkwatch reads a metric of this name at this level: what publishers send by
     * default.
     */
    public static boolean isMonitored(ScopeLevel level, String name) {
        return switch (level) {
            case JOB -> JOB_METRICS.contains(name);
            case TASK -> TASK_METRICS.contains(name);
            case OPERATOR -> isOperatorMetric(name);
        };
    }

    private static boolean isOperatorMetric(String name) {
        for (String metric : OPERATOR_METRICS) {
            if (isNamed(name, metric)) {
                return true;
            }
        }
        return name.endsWith("Offset") && partitionOffset(name).matches();
    }
}

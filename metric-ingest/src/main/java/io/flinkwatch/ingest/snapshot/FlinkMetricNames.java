package io.flinkwatch.ingest.snapshot;

/**
 * Names of the Flink 2.2 metrics Flinkwatch reads, as Flink registers them. Snapshots carry them
 * under these names; publishers map other naming schemes (such as Prometheus') back to them.
 */
public final class FlinkMetricNames {

    // Job level (JobManager).
    public static final String UPTIME = "uptime";
    public static final String RUNNING_TIME = "runningTime";
    public static final String NUM_RESTARTS = "numRestarts";
    public static final String LAST_CHECKPOINT_DURATION = "lastCheckpointDuration";
    public static final String LAST_CHECKPOINT_SIZE = "lastCheckpointSize";
    public static final String LAST_CHECKPOINT_FULL_SIZE = "lastCheckpointFullSize";
    public static final String LAST_CHECKPOINT_COMPLETED_TIMESTAMP = "lastCheckpointCompletedTimestamp";
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

    // Operator level: RocksDB native metrics (prefixed by the column family when Flink reports them).
    public static final String ROCKSDB_COMPACTION_PENDING = "rocksdb.compaction-pending";

    private FlinkMetricNames() {}
}

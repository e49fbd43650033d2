package io.flinkwatch.job.config;

import static io.flinkwatch.job.config.ValueParsers.format;

import io.flinkwatch.ingest.kafka.MetricSnapshotSource.StartingOffsets;
import io.flinkwatch.job.analytics.baseline.BaselineMode;
import io.flinkwatch.job.detection.rules.TrendMode;
import io.flinkwatch.job.lifecycle.InhibitionRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Every job parameter of Flinkwatch, declared once: name, kind of value, default, description and
 * validation. The README's parameter table is generated from this list ({@link ParameterTable}).
 *
 * <p>Defaults of detection rules are the numbers of the article the rules come from.
 */
public final class FlinkwatchParameters {

    private static final List<Parameter<?>> ALL = new ArrayList<>();

    private static final Duration MAX_DURATION = Duration.ofDays(365);

    // --- Kafka -----------------------------------------------------------------------------

    public static final Parameter<String> BOOTSTRAP_SERVERS =
            text(
                    "kafka.bootstrap-servers",
                    "localhost:9092",
                    "Kafka bootstrap servers for all topics.");

    public static final Parameter<List<String>> METRICS_TOPICS =
            declare(
                    "kafka.metrics-topics",
                    "comma-separated topics",
                    "flink-metrics",
                    "Topics the metric snapshots are read from.",
                    ValueParsers.list(false));

    public static final Parameter<String> ALERTS_TOPIC =
            text("kafka.alerts-topic", "flinkwatch-alerts", "Topic alert events are written to.");

    public static final Parameter<String> DEAD_LETTER_TOPIC =
            text(
                    "kafka.dead-letter-topic",
                    "flinkwatch-dead-letters",
                    "Topic that receives every snapshot that could not be used, with the reason and"
                            + " the raw bytes.");

    public static final Parameter<String> GROUP_ID =
            text(
                    "kafka.group-id",
                    "flinkwatch",
                    "Consumer group of the metrics source (offsets are committed on checkpoints).");

    public static final Parameter<StartingOffsets> STARTING_OFFSETS =
            choice(
                    "kafka.starting-offsets",
                    StartingOffsets.class,
                    StartingOffsets.COMMITTED,
                    "Where reading starts without a checkpoint: the group's committed offsets (falling"
                            + " back to the earliest), the earliest or the latest.");

    public static final Parameter<Boolean> BOUNDED =
            bool(
                    "kafka.bounded",
                    false,
                    "Stop at the offsets that are latest when the job starts: replays a recorded"
                            + " incident and exits.");

    public static final Parameter<DeliveryMode> DELIVERY_GUARANTEE =
            choice(
                    "delivery.guarantee",
                    DeliveryMode.class,
                    DeliveryMode.EXACTLY_ONCE,
                    "Guarantee of the alerts and dead-letter outputs. Exactly-once makes alerts"
                            + " visible to read_committed consumers when a checkpoint completes.");

    public static final Parameter<String> TRANSACTIONAL_ID_PREFIX =
            text(
                    "kafka.transactional-id-prefix",
                    "flinkwatch",
                    "Prefix of the Kafka transactional ids (exactly-once); unique per deployment.");

    public static final Parameter<Duration> TRANSACTION_TIMEOUT =
            duration(
                    "kafka.transaction-timeout",
                    "15m",
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(15),
                    "Producer transaction timeout (exactly-once); at most the broker's"
                            + " transaction.max.timeout.ms.");

    /** Where {@link #KAFKA_PROPERTIES} are given: {@code --kafka.properties.<name> value}. */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final Parameter<Map<String, String>> KAFKA_PROPERTIES =
            declare(
                    KAFKA_PROPERTIES_PREFIX + "<name>",
                    "any Kafka client setting",
                    "",
                    "Passed to every Kafka client of the job (the source, the alert and dead-letter"
                            + " sinks, the replay's tail reader, the start-up check), e.g."
                            + " --kafka.properties.security.protocol SASL_SSL. Settings Flinkwatch"
                            + " controls are refused (group.id, bootstrap.servers, (de)serializers,"
                            + " transactional.id, transaction.timeout.ms, isolation.level, and"
                            + " enable.idempotence under exactly-once). Job parameters show in Flink's"
                            + " web UI: put secrets in --kafka.properties-file.",
                    text -> Map.of());

    public static final Parameter<String> KAFKA_PROPERTIES_FILE =
            declare(
                    "kafka.properties-file",
                    "path of a Java properties file, or empty",
                    "",
                    "Kafka client settings from a file, read where the job starts and, by Kafka's"
                            + " FileConfigProvider, wherever a client is created (so it must be on the"
                            + " JobManager and every TaskManager): its values, secrets included, are"
                            + " never part of the job. A setting given as --kafka.properties.<name>"
                            + " wins over the file's.",
                    ValueParsers.optionalText());

    public static final Parameter<Duration> KAFKA_PREFLIGHT_TIMEOUT =
            duration(
                    "kafka.preflight-timeout",
                    "30s",
                    Duration.ZERO,
                    Duration.ofMinutes(5),
                    "Before the job starts, its Kafka settings are tried once: wrong credentials, an"
                            + " untrusted certificate or a denied topic stop it at once with the cause. A"
                            + " Kafka that does not answer within this time is warned about and the job"
                            + " starts anyway; 0 skips the check.");

    // --- Runtime ---------------------------------------------------------------------------

    public static final Parameter<Duration> CHECKPOINT_INTERVAL =
            duration(
                    "checkpoint.interval",
                    "10s",
                    Duration.ofMillis(100),
                    Duration.ofHours(1),
                    "Checkpoint interval; with exactly-once, alerts are published at this pace.");

    public static final Parameter<Integer> PARALLELISM =
            declare(
                    "parallelism",
                    "whole number ≥ 0",
                    "0",
                    "Parallelism of the job; 0 keeps the cluster's default.",
                    ValueParsers.integer(0, 10_000));

    public static final Parameter<Integer> MAX_PARALLELISM =
            declare(
                    "parallelism.max",
                    "whole number from 1 to 32768",
                    "128",
                    "The most subtasks the job can ever be rescaled to (the number of key groups of its"
                            + " state). Fixed for the life of its savepoints: a savepoint restores only"
                            + " with the same value. 128 is what Flink chose for earlier Flinkwatch"
                            + " versions up to a parallelism of 85.",
                    ValueParsers.integer(1, 32_768));

    // --- Ingest and event time -------------------------------------------------------------

    public static final Parameter<Integer> MAX_SNAPSHOT_BYTES =
            declare(
                    "ingest.max-snapshot-bytes",
                    "whole number from 1024 to 16777216",
                    "524288",
                    "Largest accepted snapshot record; larger ones go to the dead-letter topic.",
                    ValueParsers.integer(1024, 16 * 1024 * 1024));

    public static final Parameter<Duration> MAX_FUTURE_SKEW =
            duration(
                    "ingest.max-future-skew",
                    "1d",
                    Duration.ZERO,
                    Duration.ofDays(366),
                    "How far ahead of the monitor's clock a snapshot timestamp may be before it is"
                            + " rejected as IMPLAUSIBLE_TIMESTAMP (a unit error rather than a clock);"
                            + " at least --watermark.max-clock-skew. Between the two, it is"
                            + " CLOCK_SKEW.");

    public static final Parameter<Duration> OUT_OF_ORDERNESS =
            duration(
                    "watermark.out-of-orderness",
                    "15s",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "How far (in event time) a snapshot may arrive behind the newest snapshot of its"
                            + " own job; older ones go to the dead-letter topic as LATE. Other jobs'"
                            + " snapshots never make one late.");

    public static final Parameter<Duration> MAX_CLOCK_SKEW =
            duration(
                    "watermark.max-clock-skew",
                    "5m",
                    Duration.ofSeconds(1),
                    Duration.ofHours(1),
                    "How far a monitored job's clock may be off, ahead of this monitor's clock or"
                            + " away from the other jobs of its metrics partition, and still be fully"
                            + " monitored: event time waits for a job behind by up to this much, which"
                            + " delays the alerts of the other jobs of its partition by as much."
                            + " Further off, its snapshots go to the dead-letter topic as CLOCK_SKEW"
                            + " and FlinkwatchClockSkew fires. A job silent for this long, in its"
                            + " partition's event time (or on the wall clock, read live), no longer"
                            + " counts among the other jobs.");

    public static final Parameter<Duration> SILENT_JOB_HOLD =
            duration(
                    "watermark.silent-job-hold",
                    "90s",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "How long a monitored job that stops sending (without a final status) still holds"
                            + " event time back: a publisher that buffered through a Kafka outage"
                            + " delivers within it without a sample behind event time (the reporter"
                            + " keeps at most a minute). The other jobs of its metrics partition wait"
                            + " as long for their alerts. Measured in the partition's event time (how"
                            + " far the other jobs' clocks moved on), so a replay read in seconds waits"
                            + " as a live run does, and, for jobs read live, on the wall clock too,"
                            + " whichever is first. At most --watermark.max-clock-skew; 0: a silent"
                            + " job holds nothing back.");

    public static final Parameter<Duration> IDLENESS =
            duration(
                    "watermark.idleness",
                    "1m",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "Time without a newer valid snapshot from any job of a metrics partition (silence,"
                            + " or only dead letters or stale snapshots) after which the partition stops"
                            + " holding event time back; 0 turns idleness off.");

    public static final Parameter<Duration> LAG_WARNING =
            duration(
                    "watermark.lag-warning",
                    "2m",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    "When event time (the watermark) falls this far behind the wall clock, a warning"
                            + " names the metrics partition that holds it back (live runs; at most one a"
                            + " minute per subtask); 0 turns it off. Keep it above out-of-orderness plus"
                            + " idleness plus the publishers' interval.");

    // --- Detection -------------------------------------------------------------------------

    public static final Parameter<Duration> EVALUATION_INTERVAL =
            duration(
                    "evaluation.interval",
                    "15s",
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(10),
                    "Event-time interval at which rules are evaluated (Prometheus'"
                            + " evaluation_interval).");

    public static final Parameter<Duration> SERIES_STALENESS =
            duration(
                    "series.staleness",
                    "5m",
                    Duration.ofSeconds(1),
                    Duration.ofHours(6),
                    "A series without a sample for this long is gone: its rules stop holding"
                            + " (Prometheus' lookback delta).");

    public static final Parameter<Duration> STATE_RETENTION =
            duration(
                    "state.retention",
                    "7d",
                    Duration.ofMinutes(10),
                    Duration.ofDays(400),
                    "A monitored job that sends no snapshot for this long is retired: its open alerts"
                            + " (FlinkMetricsAbsent) resolve saying so, and everything kept about it"
                            + " (throughput baselines, CEP and lifecycle state) is cleared. Baselines of"
                            + " vertices that stopped reporting (renamed) go after the same time.");

    public static final Parameter<List<String>> DISABLED_RULES =
            declare(
                    "rules.disabled",
                    "comma-separated alert names",
                    "",
                    "Alerts that are not evaluated at all.",
                    ValueParsers.list(true));

    public static final Parameter<Duration> JOB_NOT_RUNNING_FOR =
            duration(
                    "rule.job-not-running.for",
                    "2m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkJobNotRunning: how long uptime must be 0 (or the status other than RUNNING)"
                            + " before the alert fires.");

    public static final Parameter<Integer> RESTART_LOOP_RESTARTS =
            declare(
                    "rule.job-restart-loop.restarts",
                    "whole number from 1 to 1000",
                    "3",
                    "FlinkJobRestartLoop: how many restarts (RUNNING, then another status, then RUNNING"
                            + " again; or numRestarts grown) within --rule.job-restart-loop.within make"
                            + " a restart loop, however short each outage.",
                    ValueParsers.integer(1, 1000));

    public static final Parameter<Duration> RESTART_LOOP_WITHIN =
            duration(
                    "rule.job-restart-loop.within",
                    "30m",
                    Duration.ofMinutes(1),
                    Duration.ofDays(1),
                    "FlinkJobRestartLoop: the span the restarts must fall in (CEP within()); the alert"
                            + " resolves when the job has gone this long without a restart.");

    public static final Parameter<Duration> METRICS_ABSENT_AFTER =
            duration(
                    "rule.metrics-absent.after",
                    "2m",
                    Duration.ofSeconds(1),
                    MAX_DURATION,
                    "FlinkMetricsAbsent: how long a job may send no snapshot at all. Measured in event"
                            + " time and, so that a lone silent job is noticed, in wall-clock time since"
                            + " its last snapshot arrived.");

    public static final Parameter<Duration> METRICS_ABSENT_GROUP_WINDOW =
            duration(
                    "rule.metrics-absent.group-window",
                    "30s",
                    Duration.ZERO,
                    Duration.ofMinutes(10),
                    "FlinkMetricsAbsent waits this long for other jobs falling silent together: many"
                            + " jobs of several clusters make one FlinkwatchInputSilent, every job of a"
                            + " cluster one FlinkClusterMetricsAbsent. At least the publishers' interval;"
                            + " 0 pages each job at once, alone.");

    public static final Parameter<Integer> INPUT_SILENT_MIN_JOBS =
            declare(
                    "rule.input-silent.min-jobs",
                    "whole number from 2 to 1000000",
                    "3",
                    "FlinkwatchInputSilent: the fewest jobs, on two clusters or more, that fall silent"
                            + " within --rule.metrics-absent.group-window to make an input failure.",
                    ValueParsers.integer(2, 1_000_000));

    public static final Parameter<Duration> CLOCK_SKEW_CLEAR_AFTER =
            duration(
                    "rule.clock-skew.clear-after",
                    "2m",
                    Duration.ofSeconds(1),
                    MAX_DURATION,
                    "FlinkwatchClockSkew fires at the first snapshot of a job rejected as CLOCK_SKEW"
                            + " (its clock is off by more than --watermark.max-clock-skew) and resolves"
                            + " when none has been rejected for this long.");

    public static final Parameter<Duration> RESTART_GRACE =
            duration(
                    "restart.grace",
                    "2m",
                    Duration.ZERO,
                    Duration.ofHours(6),
                    "After a monitored job (re)starts or is resubmitted, throughput verdicts and"
                            + " checkpoint and state trends wait this long (per-second meters are one-minute"
                            + " moving averages that ramp up).");

    // --- The article's alert table -----------------------------------------------------------

    public static final Parameter<Duration> CHECKPOINT_FAILURES_RANGE =
            duration(
                    "rule.checkpoint-failures.range",
                    "10m",
                    Duration.ofSeconds(30),
                    MAX_DURATION,
                    "FlinkCheckpointFailures: range of increase(numberOfFailedCheckpoints[range]) > 0.");

    public static final Parameter<Duration> CHECKPOINT_FAILURES_FOR =
            duration(
                    "rule.checkpoint-failures.for",
                    "10m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkCheckpointFailures: how long failed checkpoints must keep increasing.");

    public static final Parameter<Duration> LAG_GROWING_RANGE =
            duration(
                    "rule.lag-growing.range",
                    "5m",
                    Duration.ofSeconds(30),
                    MAX_DURATION,
                    "FlinkLagGrowing: the range its trend is read over (the source's lag in time, or"
                            + " deriv(records-lag-max[range])); a sawtooth lag keeps a range more to"
                            + " find its refreshes in.");

    public static final Parameter<Duration> LAG_GROWING_FOR =
            duration(
                    "rule.lag-growing.for",
                    "5m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkLagGrowing: how long the lag must keep growing.");

    public static final Parameter<Double> LAG_GROWING_MIN_SLOPE =
            number(
                    "rule.lag-growing.min-slope",
                    "0",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkLagGrowing: the lag must grow by more than this many records per second"
                            + " (0: any growth, as in the article); judged by the lag in time, the"
                            + " records gained are estimated from the rate consumed.");

    // Trend rules: a slope counts only when it stands out of the series' noise (issue #13).

    public static final Parameter<TrendMode> LAG_GROWING_MODE =
            trendMode("lag-growing", "FlinkLagGrowing");

    public static final Parameter<TrendMode> COMMIT_LAG_MODE =
            trendMode("commit-lag-growing", "FlinkCommitLagGrowing");

    public static final Parameter<TrendMode> CHECKPOINT_DURATION_MODE =
            trendMode("checkpoint-duration-increasing", "FlinkCheckpointDurationIncreasing");

    public static final Parameter<TrendMode> STATE_SIZE_MODE =
            trendMode("state-size-growing", "FlinkStateSizeGrowing");

    public static final Parameter<Double> TREND_NOISE_WIDTHS =
            number(
                    "rule.trends.noise-widths",
                    "3",
                    0,
                    Double.POSITIVE_INFINITY,
                    "Trend rules in mode significant: the fitted rise over the range must exceed this"
                            + " many standard deviations of the series' noise (read from the differences"
                            + " between successive observations).");

    public static final Parameter<Duration> LAG_GROWING_MIN_LAG =
            duration(
                    "rule.lag-growing.min-lag",
                    "1s",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    "FlinkLagGrowing in mode significant: the lag must also be this far behind in time"
                            + " (the source's currentEmitEventTimeLag or the lag poller's estimate, else"
                            + " the records behind ÷ the rate the consumed offsets moved).");

    public static final Parameter<Duration> CHECKPOINT_DURATION_RANGE =
            duration(
                    "rule.checkpoint-duration-increasing.range",
                    "30m",
                    Duration.ofMinutes(1),
                    MAX_DURATION,
                    "FlinkCheckpointDurationIncreasing: range of deriv(lastCheckpointDuration[range]).");

    public static final Parameter<Duration> CHECKPOINT_DURATION_FOR =
            duration(
                    "rule.checkpoint-duration-increasing.for",
                    "30m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkCheckpointDurationIncreasing: how long the duration must keep increasing.");

    public static final Parameter<Double> CHECKPOINT_DURATION_MIN_SLOPE =
            number(
                    "rule.checkpoint-duration-increasing.min-slope",
                    "0",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkCheckpointDurationIncreasing: the slope must exceed this many milliseconds per"
                            + " minute (0: any increase, as in the article).");

    public static final Parameter<Double> BUSY_THRESHOLD =
            number(
                    "rule.high-backpressure.busy-threshold",
                    "900",
                    0,
                    1000,
                    "FlinkHighBackpressure: busyTimeMsPerSecond above which a subtask is saturated.");

    public static final Parameter<Double> BACKPRESSURED_THRESHOLD =
            number(
                    "rule.high-backpressure.backpressured-threshold",
                    "100",
                    0,
                    1000,
                    "FlinkHighBackpressure: backPressuredTimeMsPerSecond above which a vertex counts as"
                            + " backpressured when looking for the bottleneck (isBackPressured counts as 1000).");

    public static final Parameter<Duration> HIGH_BACKPRESSURE_FOR =
            duration(
                    "rule.high-backpressure.for",
                    "10m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkHighBackpressure: how long a subtask must stay busy above the threshold.");

    public static final Parameter<Duration> STATE_SIZE_RANGE =
            duration(
                    "rule.state-size-growing.range",
                    "1h",
                    Duration.ofMinutes(1),
                    MAX_DURATION,
                    "FlinkStateSizeGrowing: range of deriv(lastCheckpointSize[range]) (the full size with"
                            + " incremental checkpoints).");

    public static final Parameter<Duration> STATE_SIZE_FOR =
            duration(
                    "rule.state-size-growing.for",
                    "1h",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkStateSizeGrowing: how long the state must keep growing faster than the threshold.");

    public static final Parameter<Double> STATE_SIZE_THRESHOLD =
            number(
                    "rule.state-size-growing.threshold",
                    "1024",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkStateSizeGrowing: growth in bytes per second above which state counts as growing.");

    public static final Parameter<Double> THROUGHPUT_DROP_RATIO =
            number(
                    "rule.throughput-drop.ratio",
                    "0.5",
                    0,
                    1,
                    "FlinkThroughputDrop: fires when throughput is below this fraction of the baseline.");

    public static final Parameter<Duration> THROUGHPUT_DROP_FOR =
            duration(
                    "rule.throughput-drop.for",
                    "15m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkThroughputDrop: how long throughput must stay below the ratio.");

    public static final Parameter<BaselineMode> THROUGHPUT_BASELINE =
            choice(
                    "rule.throughput-drop.baseline",
                    BaselineMode.class,
                    BaselineMode.SEASONAL,
                    "FlinkThroughputDrop: seasonal (the same hour of the week once"
                            + " --rule.throughput-drop.seasonal-min-weeks weeks exist, before that the same"
                            + " hour of the day from the second day, capped at the most recent day) or flat"
                            + " (the average of the baseline window: the article's rule).");

    public static final Parameter<Duration> THROUGHPUT_BASELINE_WINDOW =
            duration(
                    "rule.throughput-drop.baseline-window",
                    "7d",
                    Duration.ofHours(1),
                    Duration.ofDays(7),
                    "FlinkThroughputDrop: window of the flat baseline (avg_over_time[window]).");

    public static final Parameter<Duration> THROUGHPUT_MIN_HISTORY =
            duration(
                    "rule.throughput-drop.min-history",
                    "1d",
                    Duration.ofMinutes(1),
                    Duration.ofDays(7),
                    "FlinkThroughputDrop: hours of data the baseline needs before it is used (whole"
                            + " hours, before the one under way).");

    public static final Parameter<Integer> THROUGHPUT_SEASONAL_MIN_WEEKS =
            declare(
                    "rule.throughput-drop.seasonal-min-weeks",
                    "whole number from 1 to 52",
                    "1",
                    "FlinkThroughputDrop: past weeks of the same hour needed before the hour-of-week"
                            + " baseline is used (seasonal mode).",
                    ValueParsers.integer(1, 52));

    public static final Parameter<ThroughputScope> THROUGHPUT_VERTICES =
            choice(
                    "rule.throughput-drop.vertices",
                    ThroughputScope.class,
                    ThroughputScope.SOURCES,
                    "FlinkThroughputDrop: watch source vertices only (records out) or every vertex"
                            + " (records in).");

    public static final Parameter<Double> THROUGHPUT_MIN_BASELINE =
            number(
                    "rule.throughput-drop.min-baseline-rate",
                    "1",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkThroughputDrop: vertices whose baseline is below this many records per second"
                            + " are not judged.");

    // --- Alerts the article describes in prose ------------------------------------------------

    public static final Parameter<Double> NO_RECENT_CHECKPOINT_MULTIPLE =
            number(
                    "rule.no-recent-checkpoint.interval-multiple",
                    "3",
                    1,
                    1000,
                    "FlinkNoRecentCheckpoint: fires when no checkpoint completed for this many checkpoint"
                            + " intervals.");

    public static final Parameter<Duration> NO_RECENT_CHECKPOINT_FALLBACK =
            duration(
                    "rule.no-recent-checkpoint.fallback",
                    "10m",
                    Duration.ofSeconds(10),
                    MAX_DURATION,
                    "FlinkNoRecentCheckpoint: the limit when the job's checkpoint interval is unknown.");

    public static final Parameter<Duration> DURATION_EXCEEDS_INTERVAL_FOR =
            duration(
                    "rule.checkpoint-duration-exceeds-interval.for",
                    "5m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkCheckpointDurationExceedsInterval: how long checkpoints must take longer than"
                            + " the checkpoint interval.");

    public static final Parameter<Double> ALIGNMENT_SHARE =
            number(
                    "rule.checkpoint-alignment-high.share",
                    "0.5",
                    0,
                    1,
                    "FlinkCheckpointAlignmentHigh: share of the checkpoint duration above which the"
                            + " slowest subtask's barrier alignment is high.");

    public static final Parameter<Duration> ALIGNMENT_MIN =
            duration(
                    "rule.checkpoint-alignment-high.min-alignment",
                    "1s",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "FlinkCheckpointAlignmentHigh: alignments shorter than this are never high.");

    public static final Parameter<Duration> ALIGNMENT_FOR =
            duration(
                    "rule.checkpoint-alignment-high.for",
                    "10m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkCheckpointAlignmentHigh: how long alignment must stay high.");

    public static final Parameter<Double> STALLED_MAX_RATE =
            number(
                    "rule.subtask-stalled.max-rate",
                    "0.1",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkSubtaskStalled: records per second at or below which a subtask counts as"
                            + " stalled.");

    public static final Parameter<Double> STALLED_MIN_PEER_RATE =
            number(
                    "rule.subtask-stalled.min-peer-rate",
                    "1",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkSubtaskStalled: the median of the other subtasks must be at least this many"
                            + " records per second.");

    public static final Parameter<Duration> STALLED_FOR =
            duration(
                    "rule.subtask-stalled.for",
                    "5m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkSubtaskStalled: how long the subtask must stay stalled.");

    public static final Parameter<Double> COMPACTION_THRESHOLD =
            number(
                    "rule.rocksdb-compaction-pending.threshold",
                    "1",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkRocksDbCompactionPending: rocksdb.compaction-pending at or above which"
                            + " compactions are pending.");

    public static final Parameter<Duration> COMPACTION_FOR =
            duration(
                    "rule.rocksdb-compaction-pending.for",
                    "15m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkRocksDbCompactionPending: how long compactions must stay pending.");

    public static final Parameter<Duration> COMMIT_LAG_RANGE =
            duration(
                    "rule.commit-lag-growing.range",
                    "5m",
                    Duration.ofSeconds(30),
                    MAX_DURATION,
                    "FlinkCommitLagGrowing: range of the slope of consumed minus committed offsets.");

    public static final Parameter<Duration> COMMIT_LAG_FOR =
            duration(
                    "rule.commit-lag-growing.for",
                    "5m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkCommitLagGrowing: how long the gap must keep growing.");

    public static final Parameter<Double> COMMIT_LAG_MIN_SLOPE =
            number(
                    "rule.commit-lag-growing.min-slope",
                    "0",
                    0,
                    Double.POSITIVE_INFINITY,
                    "FlinkCommitLagGrowing: the slope must exceed this many records per second.");

    public static final Parameter<Duration> COMMIT_LAG_MIN_UNCOMMITTED =
            duration(
                    "rule.commit-lag-growing.min-uncommitted",
                    "2m",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    "FlinkCommitLagGrowing: the uncommitted records must also exceed this much"
                            + " consumption (more than checkpoint commits leave behind).");

    // --- Alert lifecycle -------------------------------------------------------------------

    public static final Parameter<Duration> REPEAT_INTERVAL =
            duration(
                    "lifecycle.repeat-interval",
                    "4h",
                    Duration.ZERO,
                    Duration.ofDays(30),
                    "A firing alert is published again (reason REPEATED) this long after its last"
                            + " notification, as Alertmanager's repeat_interval; 0 never repeats.");

    public static final Parameter<Duration> RESOLVE_HOLD =
            duration(
                    "lifecycle.resolve-hold",
                    "5m",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    "A cleared alert stays firing this long before its RESOLVED event; if its condition"
                            + " returns meanwhile it goes on, so a flapping condition pages once"
                            + " (Prometheus' keep_firing_for). endsAt is still the time it cleared. 0"
                            + " resolves at once.");

    public static final Parameter<List<InhibitionRule>> INHIBIT_RULES =
            declare(
                    "lifecycle.inhibit-rules",
                    "inhibition rules `SOURCE -> TARGET on LABEL,...` separated by `;` (regular"
                            + " expressions for alert names; the labels include job_name), or empty",
                    InhibitionRule.DEFAULT,
                    "While an alert matching SOURCE fires, alerts matching TARGET with equal values of"
                            + " the labels are suppressed (Alertmanager's inhibit_rules). The default is"
                            + " the article's: a job that is down silences its own checkpoint,"
                            + " throughput and lag alerts; and a job in a restart loop silences its own"
                            + " FlinkJobNotRunning (same job id).",
                    InhibitionRule::parseAll);

    public static final Parameter<List<String>> GROUP_BY =
            declare(
                    "lifecycle.group-by",
                    "comma-separated label names",
                    "cluster,job_name",
                    "Labels whose values form each event's groupKey, so consumers can batch related"
                            + " alerts (Alertmanager's group_by).",
                    ValueParsers.list(false));

    // --- Alertmanager ------------------------------------------------------------------------

    public static final Parameter<String> ALERTMANAGER_URL =
            declare(
                    "alertmanager.url",
                    "http(s) URL, or empty",
                    "",
                    "Base URL of an Alertmanager (e.g. http://alertmanager:9093) to forward alerts to"
                            + " through its v2 API, besides the alerts topic; empty turns forwarding off.",
                    ValueParsers.httpUrl());

    public static final Parameter<String> ALERTMANAGER_GENERATOR_URL =
            declare(
                    "alertmanager.generator-url",
                    "URL template with {job_id}, {job_name}, {cluster}, {alertname}",
                    "http://localhost:8081/#/job/running/{job_id}/overview",
                    "generatorURL of forwarded alerts: a link to the monitored job (by default its page"
                            + " in the Flink web UI).",
                    ValueParsers.text());

    public static final Parameter<Duration> ALERTMANAGER_RESEND_INTERVAL =
            duration(
                    "alertmanager.resend-interval",
                    "1m",
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(10),
                    "Firing alerts are posted again at this interval, as Prometheus does, so that"
                            + " Alertmanager keeps them active (it resolves alerts it stops hearing about).");

    public static final Parameter<Integer> ALERTMANAGER_QUEUE_CAPACITY =
            declare(
                    "alertmanager.queue-capacity",
                    "whole number from 1 to 1000000",
                    "10000",
                    "Alert events waiting to be posted; when Alertmanager is unreachable for long, the"
                            + " oldest are dropped (counted) rather than slowing the alerts topic.",
                    ValueParsers.integer(1, 1_000_000));

    public static final Parameter<Integer> ALERTMANAGER_MAX_ALERTS_PER_REQUEST =
            declare(
                    "alertmanager.max-alerts-per-request",
                    "whole number from 1 to 10000",
                    "500",
                    "The most alerts one request to Alertmanager carries; a resend of a large"
                            + " incident goes in several. A request refused as too large (413) is"
                            + " split in halves.",
                    ValueParsers.integer(1, 10_000));

    public static final Parameter<Boolean> ALERTMANAGER_WATCHDOG =
            bool(
                    "alertmanager.watchdog",
                    true,
                    "Post an always-firing FlinkwatchWatchdog alert (severity none, label flinkwatch"
                            + " = --kafka.transactional-id-prefix) once a checkpoint completed, and"
                            + " with every resend: a dead man's switch for a receiver that pages when"
                            + " it stops.");

    // Authentication and TLS in the words of Prometheus' http_config. Secrets only ever come from
    // files: job parameters are shown in Flink's web UI.

    public static final Parameter<String> ALERTMANAGER_BASIC_AUTH_USERNAME =
            declare(
                    "alertmanager.basic-auth.username",
                    "user name, or empty",
                    "",
                    "User name for HTTP basic auth to Alertmanager (basic_auth.username); needs"
                            + " --alertmanager.basic-auth.password-file.",
                    ValueParsers.optionalText());

    public static final Parameter<String> ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE =
            declare(
                    "alertmanager.basic-auth.password-file",
                    "absolute path of a file on the TaskManagers, or empty",
                    "",
                    "File holding the basic auth password (basic_auth.password_file), read before"
                            + " every post so a rotated password is used without a restart.",
                    ValueParsers.absolutePath());

    public static final Parameter<String> ALERTMANAGER_BEARER_TOKEN_FILE =
            declare(
                    "alertmanager.bearer-token-file",
                    "absolute path of a file on the TaskManagers, or empty",
                    "",
                    "File holding a bearer token sent as `Authorization: Bearer` (authorization."
                            + "credentials_file), read before every post; not with basic auth.",
                    ValueParsers.absolutePath());

    public static final Parameter<String> ALERTMANAGER_TLS_CA_FILE =
            declare(
                    "alertmanager.tls.ca-file",
                    "absolute path of a PEM file on the TaskManagers, or empty",
                    "",
                    "Certificate authorities (PEM) that an https:// Alertmanager's certificate must be"
                            + " signed by (tls_config.ca_file); empty trusts the JVM's default ones.",
                    ValueParsers.absolutePath());

    private FlinkwatchParameters() {}

    /** All parameters, in declaration order. */
    public static List<Parameter<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> Parameter<T> declare(
            String name,
            String type,
            String defaultText,
            String description,
            ValueParser<T> parser) {
        Parameter<T> parameter = new Parameter<>(name, type, defaultText, description, parser);
        for (Parameter<?> existing : ALL) {
            if (existing.name().equals(name)) {
                throw new IllegalStateException("job parameter declared twice: " + name);
            }
        }
        ALL.add(parameter);
        return parameter;
    }

    private static Parameter<String> text(String name, String defaultText, String description) {
        return declare(name, "string", defaultText, description, ValueParsers.text());
    }

    private static Parameter<Boolean> bool(String name, boolean defaultValue, String description) {
        return declare(
                name,
                "true or false",
                Boolean.toString(defaultValue),
                description,
                ValueParsers.bool());
    }

    private static <E extends Enum<E>> Parameter<E> choice(
            String name, Class<E> type, E defaultValue, String description) {
        return declare(
                name,
                "one of " + ValueParsers.choices(type),
                ValueParsers.wireName(defaultValue),
                description,
                ValueParsers.choice(type));
    }

    static Parameter<Duration> duration(
            String name, String defaultText, Duration min, Duration max, String description) {
        return declare(
                name,
                "duration from " + format(min) + " to " + format(max),
                defaultText,
                description,
                ValueParsers.duration(min, max));
    }

    private static Parameter<TrendMode> trendMode(String rule, String alert) {
        return choice(
                "rule." + rule + ".mode",
                TrendMode.class,
                TrendMode.SIGNIFICANT,
                alert
                        + ": significant counts a slope only when the rise stands out of the series'"
                        + " noise (docs/alerts.md); deriv is the article's plain deriv() > 0, as in"
                        + " Prometheus.");
    }

    static Parameter<Double> number(
            String name, String defaultText, double min, double max, String description) {
        String type =
                Double.isInfinite(max)
                        ? "number ≥ " + plain(min)
                        : "number from " + plain(min) + " to " + plain(max);
        return declare(name, type, defaultText, description, ValueParsers.number(min, max));
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

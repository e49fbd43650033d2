package io.flinkwatch.testing.backtest;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.BUSY_TIME_MS_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_DURATION;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_FULL_SIZE;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUMBER_OF_FAILED_CHECKPOINTS;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUM_RESTARTS;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.PENDING_RECORDS;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.RECORDS_LAG_MAX;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.ROCKSDB_COMPACTION_PENDING;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.RUNNING_TIME;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.UPTIME;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series behind each alert: which metric of which snapshots the rule reads (see {@code
 * docs/alerts.md}), and its threshold, baseline or fitted trend from the evidence at firing or the
 * job parameters. An alert this class does not know is shown by the number of its job's snapshots
 * per minute.
 */
public final class SeriesCatalog {

    private static final Pattern OFFSET =
            Pattern.compile(
                    "KafkaSourceReader\\.topic\\..+\\.partition\\.\\d+\\.(currentOffset|committedOffset)");

    private SeriesCatalog() {}

    public static SeriesSpec of(Episode episode, FlinkwatchConfig config) {
        Evidence evidence = episode.evidence();
        Map<String, Double> values = evidence.values();
        Map<String, String> labels = episode.labels();
        String vertex = labels.get(AlertLabels.TASK_NAME);
        int subtask = subtask(labels.get(AlertLabels.SUBTASK_INDEX));
        String operator = labels.get(AlertLabels.OPERATOR_NAME);
        List<SeriesSpec.Reference> refs = new ArrayList<>();
        switch (episode.alertname()) {
            case "FlinkJobNotRunning" -> {
                refs.add(new SeriesSpec.Reference("not running:", 0));
                return job("uptime", "min", s -> minutes(uptime(s)), refs, null, null);
            }
            case "FlinkJobRestartLoop" -> {
                return job(NUM_RESTARTS, "restarts", metric(NUM_RESTARTS), refs, null, null);
            }
            case "FlinkCheckpointFailures" -> {
                return job(
                        NUMBER_OF_FAILED_CHECKPOINTS,
                        "checkpoints",
                        metric(NUMBER_OF_FAILED_CHECKPOINTS),
                        refs,
                        null,
                        null);
            }
            case "FlinkCheckpointDurationIncreasing" -> {
                SeriesSpec.Trend trend = null;
                Double slope = values.get("slopeMsPerMinute");
                Double first = values.get("firstCheckpointDurationMs");
                Double range = values.get("rangeMs");
                if (slope != null && first != null && range != null) {
                    // The fit starts at the first duration of the range; draw it to firing.
                    trend =
                            new SeriesSpec.Trend(
                                    episode.startsAt(),
                                    first + slope / 60 * range / 1000,
                                    slope / 60,
                                    range.longValue());
                }
                return job(
                        LAST_CHECKPOINT_DURATION,
                        "ms",
                        metric(LAST_CHECKPOINT_DURATION),
                        refs,
                        trend,
                        null);
            }
            case "FlinkCheckpointDurationExceedsInterval" -> {
                Double interval = values.get("checkpointIntervalMs");
                if (interval != null) {
                    refs.add(new SeriesSpec.Reference("checkpoint interval", interval));
                }
                return job(
                        LAST_CHECKPOINT_DURATION,
                        "ms",
                        metric(LAST_CHECKPOINT_DURATION),
                        refs,
                        null,
                        "lastCheckpointDurationMs");
            }
            case "FlinkStateSizeGrowing" -> {
                String name = evidence.facts().getOrDefault("metric", LAST_CHECKPOINT_FULL_SIZE);
                SeriesSpec.Trend trend = null;
                Double slope = values.get("growthBytesPerSecond");
                Double size = values.get("stateSizeBytes");
                if (slope != null && size != null) {
                    trend =
                            new SeriesSpec.Trend(
                                    episode.startsAt(),
                                    size,
                                    slope,
                                    config.get(FlinkwatchParameters.STATE_SIZE_RANGE).toMillis());
                }
                return job(name, "bytes", metric(name), refs, trend, "stateSizeBytes");
            }
            case "FlinkNoRecentCheckpoint" -> {
                Double limit = values.get("limitMs");
                if (limit != null) {
                    refs.add(new SeriesSpec.Reference("limit", limit / 60_000));
                }
                return job(
                        "time since the last completed checkpoint",
                        "min",
                        s -> {
                            Double completed = s.metric(LAST_CHECKPOINT_COMPLETED_TIMESTAMP);
                            return completed == null || completed <= 0
                                    ? Double.NaN
                                    : minutes(s.timestamp() - completed);
                        },
                        refs,
                        null,
                        null);
            }
            case "FlinkHighBackpressure" -> {
                double threshold =
                        values.getOrDefault(
                                "busyThreshold", config.get(FlinkwatchParameters.BUSY_THRESHOLD));
                refs.add(new SeriesSpec.Reference("busy threshold", threshold));
                return task(
                        BUSY_TIME_MS_PER_SECOND,
                        "ms/s",
                        metric(BUSY_TIME_MS_PER_SECOND),
                        false,
                        vertex,
                        subtask,
                        refs,
                        BUSY_TIME_MS_PER_SECOND);
            }
            case "FlinkThroughputDrop" -> {
                String name = evidence.facts().getOrDefault("metric", NUM_RECORDS_OUT_PER_SECOND);
                Double baseline = values.get("baselineRecordsPerSecond");
                if (baseline != null) {
                    double ratio = config.get(FlinkwatchParameters.THROUGHPUT_DROP_RATIO);
                    refs.add(new SeriesSpec.Reference("baseline", baseline));
                    refs.add(new SeriesSpec.Reference(ratio + " × baseline", ratio * baseline));
                }
                return task(
                        name + " (vertex)",
                        "records/s",
                        metric(name),
                        true,
                        vertex,
                        -1,
                        refs,
                        "recordsPerSecond");
            }
            case "FlinkSubtaskStalled" -> {
                String name =
                        values.containsKey(NUM_RECORDS_IN_PER_SECOND)
                                ? NUM_RECORDS_IN_PER_SECOND
                                : NUM_RECORDS_OUT_PER_SECOND;
                refs.add(
                        new SeriesSpec.Reference(
                                "stalled at or below",
                                config.get(FlinkwatchParameters.STALLED_MAX_RATE)));
                return task(name, "records/s", metric(name), false, vertex, subtask, refs, name);
            }
            case "FlinkCheckpointAlignmentHigh" -> {
                String slowest = evidence.facts().get("slowestVertex");
                int slowestSubtask = subtask(evidence.facts().get("slowestSubtask"));
                return task(
                        CHECKPOINT_ALIGNMENT_TIME + " (slowest subtask)",
                        "ms",
                        s -> {
                            Double ns = s.metric(CHECKPOINT_ALIGNMENT_TIME);
                            return ns == null ? Double.NaN : ns / 1e6;
                        },
                        false,
                        slowest,
                        slowestSubtask,
                        refs,
                        "alignmentMs");
            }
            case "FlinkLagGrowing" -> {
                return lagGrowing(episode, config, vertex, subtask, operator, refs);
            }
            case "FlinkCommitLagGrowing" -> {
                return operator(
                        "consumed minus committed offsets",
                        "records",
                        SeriesCatalog::uncommitted,
                        vertex,
                        subtask,
                        operator,
                        refs,
                        null,
                        "uncommittedRecords");
            }
            case "FlinkRocksDbCompactionPending" -> {
                Double threshold = values.get("threshold");
                if (threshold != null) {
                    refs.add(new SeriesSpec.Reference("threshold", threshold));
                }
                return operator(
                        ROCKSDB_COMPACTION_PENDING + " (max over column families)",
                        "compactions",
                        SeriesCatalog::compactionPending,
                        vertex,
                        subtask,
                        operator,
                        refs,
                        null,
                        "compactionPending");
            }
            default -> {
                // FlinkMetricsAbsent, FlinkwatchClockSkew and any alert added later: how often the
                // job spoke is what there is to see.
                return new SeriesSpec(
                        "snapshots of the job per minute",
                        "snapshots",
                        null,
                        s -> 1,
                        false,
                        null,
                        -1,
                        null,
                        refs,
                        null,
                        null);
            }
        }
    }

    /**
     * The series FlinkLagGrowing judged ({@code signal} in its evidence): the source's lag in time,
     * or its records behind, under whichever name its publisher gave it (the reporter's {@code
     * KafkaSourceReader.KafkaConsumer.records-lag-max}, the bridge's {@code
     * KafkaSourceReader_KafkaConsumer.records-lag-max}, the poller's {@code records-lag-max}).
     */
    private static SeriesSpec lagGrowing(
            Episode episode,
            FlinkwatchConfig config,
            String vertex,
            int subtask,
            String operator,
            List<SeriesSpec.Reference> refs) {
        Map<String, Double> values = episode.evidence().values();
        String signal = episode.evidence().facts().getOrDefault("signal", RECORDS_LAG_MAX);
        long range = config.get(FlinkwatchParameters.LAG_GROWING_RANGE).toMillis();
        if (signal.equals(CURRENT_EMIT_EVENT_TIME_LAG)) {
            Double seconds = values.get("lagSeconds");
            Double perMinute = values.get("lagSecondsGrowthPerMinute");
            SeriesSpec.Trend trend =
                    seconds == null || perMinute == null
                            ? null
                            : new SeriesSpec.Trend(
                                    episode.startsAt(), seconds, perMinute / 60, range);
            return operator(
                    CURRENT_EMIT_EVENT_TIME_LAG + " (lag in time)",
                    "s",
                    s -> named(s, CURRENT_EMIT_EVENT_TIME_LAG) / 1000,
                    vertex,
                    subtask,
                    operator,
                    refs,
                    trend,
                    "lagSeconds");
        }
        String metric = signal.equals(PENDING_RECORDS) ? PENDING_RECORDS : RECORDS_LAG_MAX;
        String key = signal.equals(PENDING_RECORDS) ? "pendingRecords" : "recordsLagMax";
        Double slope = values.get("lagSlopePerSecond");
        Double lag = values.get(key);
        SeriesSpec.Trend trend =
                slope == null || lag == null
                        ? null
                        : new SeriesSpec.Trend(episode.startsAt(), lag, slope, range);
        return operator(
                metric,
                "records",
                s -> named(s, metric),
                vertex,
                subtask,
                operator,
                refs,
                trend,
                key);
    }

    /**
     * The value of {@code metric} under its bare name or with its metric-group path in front, as
     * publishers send it; NaN when absent.
     */
    static double named(MetricSnapshot snapshot, String metric) {
        Double bare = snapshot.metric(metric);
        if (bare != null) {
            return bare;
        }
        for (Map.Entry<String, Double> entry : snapshot.metrics().entrySet()) {
            if (FlinkMetricNames.isNamed(entry.getKey(), metric)) {
                return entry.getValue();
            }
        }
        return Double.NaN;
    }

    private static SeriesSpec job(
            String title,
            String unit,
            ToDoubleFunction<MetricSnapshot> value,
            List<SeriesSpec.Reference> refs,
            SeriesSpec.Trend trend,
            String evidenceKey) {
        return new SeriesSpec(
                title,
                unit,
                ScopeLevel.JOB,
                value,
                false,
                null,
                -1,
                null,
                refs,
                trend,
                evidenceKey);
    }

    private static SeriesSpec task(
            String title,
            String unit,
            ToDoubleFunction<MetricSnapshot> value,
            boolean sumSubtasks,
            String vertex,
            int subtask,
            List<SeriesSpec.Reference> refs,
            String evidenceKey) {
        return new SeriesSpec(
                title,
                unit,
                ScopeLevel.TASK,
                value,
                sumSubtasks,
                vertex,
                subtask,
                null,
                refs,
                null,
                evidenceKey);
    }

    private static SeriesSpec operator(
            String title,
            String unit,
            ToDoubleFunction<MetricSnapshot> value,
            String vertex,
            int subtask,
            String operator,
            List<SeriesSpec.Reference> refs,
            SeriesSpec.Trend trend,
            String evidenceKey) {
        return new SeriesSpec(
                title,
                unit,
                ScopeLevel.OPERATOR,
                value,
                false,
                vertex,
                subtask,
                operator,
                refs,
                trend,
                evidenceKey);
    }

    private static ToDoubleFunction<MetricSnapshot> metric(String name) {
        return s -> s.metric(name, Double.NaN);
    }

    private static double uptime(MetricSnapshot s) {
        Double uptime = s.metric(UPTIME);
        return uptime != null ? uptime : s.metric(RUNNING_TIME, Double.NaN);
    }

    private static double minutes(double ms) {
        return ms / 60_000;
    }

    private static double uncommitted(MetricSnapshot s) {
        double current = 0;
        double committed = 0;
        boolean any = false;
        for (Map.Entry<String, Double> metric : s.metrics().entrySet()) {
            Matcher matcher = OFFSET.matcher(metric.getKey());
            if (matcher.matches()) {
                any = true;
                if (matcher.group(1).equals("currentOffset")) {
                    current += metric.getValue();
                } else {
                    committed += metric.getValue();
                }
            }
        }
        return any ? current - committed : Double.NaN;
    }

    private static double compactionPending(MetricSnapshot s) {
        double max = Double.NaN;
        for (Map.Entry<String, Double> metric : s.metrics().entrySet()) {
            if (metric.getKey().endsWith("." + ROCKSDB_COMPACTION_PENDING)
                    || metric.getKey().equals(ROCKSDB_COMPACTION_PENDING)) {
                max = Double.isNaN(max) ? metric.getValue() : Math.max(max, metric.getValue());
            }
        }
        return max;
    }

    private static int subtask(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

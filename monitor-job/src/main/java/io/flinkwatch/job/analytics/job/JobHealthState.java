package io.flinkwatch.job.analytics.job;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.SampleWindow;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The job-level series of one monitored job (keyed by cluster and job name): what the JobManager
 * reports about the job as a whole, plus the tasks' barrier alignment times.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class JobHealthState {

    /** Pseudo-metric holding the job status as {@link JobStatuses#code}. */
    public static final String STATUS = "status";

    /** Pseudo-metric holding the checkpoint interval the publisher reported. */
    public static final String CHECKPOINT_INTERVAL = "checkpointIntervalMs";

    /**
     * Pseudo-metric holding the completed-checkpoint count each time it changed (at the first
     * sample with the new value; evicted up to the newest change before the evaluation): when a
     * checkpoint last completed, for publishers without {@code lastCheckpointCompletedTimestamp}.
     * Kept apart from the retention of the other series, since a healthy job's count may stay put
     * for a long checkpoint interval.
     */
    public static final String COMPLETED_COUNT_CHANGES = "completedCheckpointsChanged";

    /** Prefix of the per-subtask alignment series: {@code alignment|<vertex>|<subtask>}. */
    static final String ALIGNMENT_PREFIX = "alignment|";

    public String cluster;
    public String jobName;
    public String jobId;

    /** Samples by metric name (and the pseudo-metrics above). */
    public Map<String, SampleWindow> series = new HashMap<>();

    public long newestSample = Long.MIN_VALUE;

    /** Records a snapshot's values: a job-level one, or a task's alignment time. */
    public void absorb(MetricSnapshot snapshot) {
        cluster = snapshot.cluster();
        jobName = snapshot.job().name();
        long time = snapshot.timestamp();
        if (time >= newestSample) {
            jobId = snapshot.job().id();
            newestSample = time;
        }
        if (snapshot.scope().level() != ScopeLevel.JOB) {
            Double alignment = snapshot.metric(FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME);
            if (alignment != null) {
                String name =
                        ALIGNMENT_PREFIX
                                + snapshot.scope().vertexName()
                                + "|"
                                + snapshot.scope().subtask();
                add(name, time, alignment);
            }
            return;
        }
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            add(metric.getKey(), time, metric.getValue());
        }
        Double completed = snapshot.metric(FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS);
        if (completed != null) {
            noteCompletedCount(time, completed);
        }
        if (snapshot.job().status() != null) {
            add(STATUS, time, JobStatuses.code(snapshot.job().status()));
        }
        if (snapshot.job().checkpointIntervalMs() != null) {
            add(CHECKPOINT_INTERVAL, time, snapshot.job().checkpointIntervalMs());
        }
    }

    private void noteCompletedCount(long time, double count) {
        SampleWindow changes =
                series.computeIfAbsent(COMPLETED_COUNT_CHANGES, n -> new SampleWindow());
        int before = changes.lastIndexAtOrBefore(time);
        if (before >= 0 && changes.valueAt(before) == count) {
            return;
        }
        changes.add(time, count);
    }

    /**
     * Event time of the first sample at or before {@code time} that showed the current
     * completed-checkpoint count (a checkpoint completed at or before it, or the count was first
     * seen then), or {@link Long#MIN_VALUE} when unknown.
     */
    public long completedCountChangedAt(long time) {
        SampleWindow changes = series.get(COMPLETED_COUNT_CHANGES);
        if (changes == null) {
            return Long.MIN_VALUE;
        }
        int index = changes.lastIndexAtOrBefore(time);
        return index < 0 ? Long.MIN_VALUE : changes.timeAt(index);
    }

    private void add(String name, long time, double value) {
        series.computeIfAbsent(name, n -> new SampleWindow()).add(time, value);
    }

    public SampleWindow series(String metric) {
        SampleWindow window = series.get(metric);
        return window == null ? new SampleWindow() : window;
    }

    /** The newest value of a metric at {@code time} within {@code lookback}, or NaN. */
    public double latest(String metric, long time, long lookback) {
        SampleWindow window = series.get(metric);
        return window == null ? Double.NaN : window.latest(time, lookback);
    }

    /**
     * The job's uptime, from {@code uptime} or else Flink 2's {@code runningTime}; NaN if neither.
     */
    public double uptime(long time, long lookback) {
        double uptime = latest(FlinkMetricNames.UPTIME, time, lookback);
        return Double.isNaN(uptime)
                ? latest(FlinkMetricNames.RUNNING_TIME, time, lookback)
                : uptime;
    }

    /** The newest reported job status, or null. */
    public String status(long time, long lookback) {
        return JobStatuses.fromCode(latest(STATUS, time, lookback));
    }

    /** Whether the job is running at {@code time}, as far as its metrics tell. */
    public boolean running(long time, long lookback) {
        String status = status(time, lookback);
        if (status != null) {
            return JobStatuses.RUNNING.equals(status);
        }
        double uptime = uptime(time, lookback);
        return !Double.isNaN(uptime) && uptime > 0;
    }

    /**
     * Since when the job has been running without interruption, from its newest uptime: the start
     * of the current run, so that a restart or a resubmission starts the trends over. {@link
     * Long#MIN_VALUE} when the uptime is unknown, {@link Long#MAX_VALUE} when it is not running.
     */
    public long runningSince(long time, long lookback) {
        SampleWindow uptime = series.get(FlinkMetricNames.UPTIME);
        if (uptime == null || Double.isNaN(uptime.latest(time, lookback))) {
            uptime = series.get(FlinkMetricNames.RUNNING_TIME);
        }
        if (uptime == null) {
            return Long.MIN_VALUE;
        }
        long sampleTime = uptime.latestTime(time, lookback);
        if (sampleTime == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        double value = uptime.latest(time, lookback);
        return value > 0 ? sampleTime - (long) value : Long.MAX_VALUE;
    }

    /** The checkpoint interval the publisher reported (0: disabled), or NaN when unknown. */
    public double checkpointIntervalMs(long time, long lookback) {
        return latest(CHECKPOINT_INTERVAL, time, lookback);
    }

    /** The per-subtask alignment series, by {@code <vertex>|<subtask>}. */
    public Map<String, SampleWindow> alignments() {
        Map<String, SampleWindow> alignments = new HashMap<>();
        for (Map.Entry<String, SampleWindow> entry : series.entrySet()) {
            if (entry.getKey().startsWith(ALIGNMENT_PREFIX)) {
                alignments.put(
                        entry.getKey().substring(ALIGNMENT_PREFIX.length()), entry.getValue());
            }
        }
        return alignments;
    }

    /**
     * Drops samples no rule reads after {@code time}: those older than the metric's retention.
     *
     * @param retention how far back rules read each metric, in milliseconds
     */
    public void evict(long time, ToLongFunction<String> retention) {
        for (Map.Entry<String, SampleWindow> entry : series.entrySet()) {
            SampleWindow window = entry.getValue();
            if (entry.getKey().equals(COMPLETED_COUNT_CHANGES)) {
                int current = window.lastIndexAtOrBefore(time);
                if (current > 0) {
                    window.evictAtOrBefore(window.timeAt(current - 1));
                }
            } else {
                window.evictAtOrBefore(time - retention.applyAsLong(entry.getKey()));
            }
        }
        series.values().removeIf(SampleWindow::isEmpty);
    }
}

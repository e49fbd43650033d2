package io.flinkwatch.job.analytics.job;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.SampleWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * The job-level series of one monitored job (keyed by cluster and job name): what the
 * JobManager reports about the job as a whole.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class JobHealthState {

    /** Pseudo-metric holding the job status as {@link JobStatuses#code}. */
    public static final String STATUS = "status";

    public String cluster;
    public String jobName;
    public String jobId;

    /** Samples by metric name (and {@link #STATUS}). */
    public Map<String, SampleWindow> series = new HashMap<>();

    public long newestSample = Long.MIN_VALUE;

    /** Records a job-level snapshot's values for the metrics the rules read. */
    public void absorb(MetricSnapshot snapshot) {
        cluster = snapshot.cluster();
        jobName = snapshot.job().name();
        if (snapshot.timestamp() >= newestSample) {
            jobId = snapshot.job().id();
            newestSample = snapshot.timestamp();
        }
        long time = snapshot.timestamp();
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            series.computeIfAbsent(metric.getKey(), name -> new SampleWindow())
                    .add(time, metric.getValue());
        }
        String status = snapshot.job().status();
        if (status != null) {
            series.computeIfAbsent(STATUS, name -> new SampleWindow())
                    .add(time, JobStatuses.code(status));
        }
    }

    /** The newest value of a metric at {@code time} within {@code lookback}, or NaN. */
    public double latest(String metric, long time, long lookback) {
        SampleWindow window = series.get(metric);
        return window == null ? Double.NaN : window.latest(time, lookback);
    }

    /** The job's uptime, from {@code uptime} or else Flink 2's {@code runningTime}; NaN if neither. */
    public double uptime(long time, long lookback) {
        double uptime = latest(FlinkMetricNames.UPTIME, time, lookback);
        return Double.isNaN(uptime) ? latest(FlinkMetricNames.RUNNING_TIME, time, lookback) : uptime;
    }

    /** The newest reported job status, or null. */
    public String status(long time, long lookback) {
        return JobStatuses.fromCode(latest(STATUS, time, lookback));
    }

    /**
     * Drops samples no rule reads after {@code time}: those older than the metric's retention.
     *
     * @param retention how far back rules read each metric, in milliseconds
     */
    public void evict(long time, java.util.function.ToLongFunction<String> retention) {
        for (Map.Entry<String, SampleWindow> entry : series.entrySet()) {
            entry.getValue().evictAtOrBefore(time - retention.applyAsLong(entry.getKey()));
        }
        series.values().removeIf(SampleWindow::isEmpty);
    }
}

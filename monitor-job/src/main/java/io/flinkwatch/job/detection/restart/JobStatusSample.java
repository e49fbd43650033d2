package io.flinkwatch.job.detection.restart;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.detection.restart.RunRestarts.State;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * What a job-level snapshot says about whether the job runs: the part of it the restart-loop
 * detection reads, so that only this travels to it.
 *
 * @param timestamp event time of the snapshot
 * @param cluster the cluster
 * @param jobName the job name
 * @param jobId the job id (each run counts its own restarts)
 * @param status the reported job status, or null
 * @param uptime the reported uptime (or runningTime), or NaN
 * @param numRestarts the reported {@code numRestarts}, or NaN
 * @param failureCause why the job last failed, when the publisher reports it, or null
 */
public record JobStatusSample(
        long timestamp,
        String cluster,
        String jobName,
        String jobId,
        @Nullable String status,
        double uptime,
        double numRestarts,
        @Nullable String failureCause) {

    public JobStatusSample {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(jobId, "jobId");
    }

    /**
     * The sample of a job-level snapshot that tells anything about the job's state; none for other
     * scopes and for external snapshots (observed from outside, they say nothing of the job).
     */
    public static Optional<JobStatusSample> of(MetricSnapshot snapshot) {
        if (snapshot.external() || snapshot.scope().level() != ScopeLevel.JOB) {
            return Optional.empty();
        }
        double uptime = snapshot.metric(FlinkMetricNames.UPTIME, Double.NaN);
        if (Double.isNaN(uptime)) {
            uptime = snapshot.metric(FlinkMetricNames.RUNNING_TIME, Double.NaN);
        }
        double restarts = snapshot.metric(FlinkMetricNames.NUM_RESTARTS, Double.NaN);
        String status = snapshot.job().status();
        if (status == null && Double.isNaN(uptime) && Double.isNaN(restarts)) {
            return Optional.empty();
        }
        return Optional.of(
                new JobStatusSample(
                        snapshot.timestamp(),
                        snapshot.cluster(),
                        snapshot.job().name(),
                        snapshot.job().id(),
                        status,
                        uptime,
                        restarts,
                        snapshot.job().failureCause()));
    }

    /** The monitored job's key (cluster and job name). */
    public String jobKey() {
        return JobKeys.of(cluster, jobName);
    }

    /**
     * Whether the job runs: the status when reported (as FlinkJobNotRunning reads it), else an
     * uptime above 0.
     */
    public State state() {
        if (status != null) {
            return JobStatuses.RUNNING.equals(status) ? State.RUNNING : State.DOWN;
        }
        if (Double.isNaN(uptime)) {
            return State.UNKNOWN;
        }
        return uptime > 0 ? State.RUNNING : State.DOWN;
    }
}

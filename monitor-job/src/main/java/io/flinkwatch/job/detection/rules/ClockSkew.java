package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * FlinkwatchClockSkew: a job's snapshots are rejected as CLOCK_SKEW, because the clock that stamps
 * them is further off than {@code --watermark.max-clock-skew}: ahead of this monitor's clock, or
 * away from the other jobs of its metrics partition. Not in the article: it is Flinkwatch saying
 * that it cannot watch the job, which a silent LATE would hide. Evaluated by its own operator
 * ({@code ClockSkewDetector}) from the rejected snapshots; it fires at the first one and resolves
 * when none has been rejected for {@link #clearAfter()}.
 */
public final class ClockSkew extends BaseRule {

    public static final String NAME = "FlinkwatchClockSkew";

    private final Duration clearAfter;

    public ClockSkew(Duration clearAfter) {
        super(NAME, Severity.WARNING, Duration.ZERO, Runbooks.CLOCK_SKEW);
        this.clearAfter = clearAfter;
    }

    public Duration clearAfter() {
        return clearAfter;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        Double offset = evidence.values().get("offsetMs");
        return "The clock of cluster "
                + labels.get("cluster")
                + (offset == null ? " is off" : " is " + Texts.offset(offset.longValue()))
                + ": job "
                + labels.get("job_name")
                + " is not monitored";
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double snapshotAt = evidence.values().get("snapshotAt");
        Double referenceAt = evidence.values().get("referenceAt");
        String against = evidence.facts().getOrDefault("against", "the other jobs");
        return "Snapshots of this job are stamped "
                + (snapshotAt == null
                        ? "by a clock"
                        : Instant.ofEpochMilli(snapshotAt.longValue()) + " where")
                + (referenceAt == null
                        ? ""
                        : " " + against + " say " + Instant.ofEpochMilli(referenceAt.longValue()))
                + ", further off than the allowed clock skew. They go to the dead-letter topic as"
                + " CLOCK_SKEW, so none of the job's alerts can fire until its clock is fixed (or"
                + " its publisher delivers on time again).";
    }
}

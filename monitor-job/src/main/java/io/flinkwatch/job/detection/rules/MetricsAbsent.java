package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * FlinkMetricsAbsent: no snapshot at all from a job for a while. Evaluated by its own operator
 * ({@code MetricsAbsenceDetector}), because it must fire when input stops, even when the silent
 * job is the only one watched and event time stands still.
 */
public final class MetricsAbsent implements Rule {

    public static final String NAME = "FlinkMetricsAbsent";

    private final Duration after;

    public MetricsAbsent(Duration after) {
        this.after = after;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Severity severity() {
        return Severity.CRITICAL;
    }

    /** The silence itself is the duration; there is no further waiting. */
    @Override
    public Duration sustainFor() {
        return Duration.ZERO;
    }

    public Duration after() {
        return after;
    }

    @Override
    public List<String> runbook() {
        return Runbooks.METRICS_ABSENT;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "No metrics from Flink job " + labels.get("job_name") + " on " + labels.get("cluster");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double lastSeen = evidence.values().get("lastSnapshotAt");
        return "No snapshot of this job has arrived for "
                + Durations.words(after)
                + (lastSeen == null ? "" : " (the last one was taken at " + Instant.ofEpochMilli(lastSeen.longValue()) + ")")
                + ". The job may have failed terminally, or its metric publisher stopped: every other"
                + " alert about it is blind until its metrics return.";
    }
}

package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * FlinkMetricsAbsent: no snapshot at all from a job for a while. Evaluated by its own operator
 * ({@code MetricsAbsenceDetector}), because it must fire when input stops, even when the silent job
 * is the only one watched and event time stands still. The silence itself is the duration, so there
 * is no further waiting ({@link #sustainFor()} is zero).
 */
public final class MetricsAbsent extends BaseRule {

    public static final String NAME = "FlinkMetricsAbsent";

    private final Duration after;

    public MetricsAbsent(Duration after) {
        super(NAME, Severity.CRITICAL, Duration.ZERO, Runbooks.METRICS_ABSENT);
        this.after = after;
    }

    public Duration after() {
        return after;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "No metrics from Flink job "
                + labels.get("job_name")
                + " on "
                + labels.get("cluster");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double lastSeen = evidence.values().get("lastSnapshotAt");
        return "No snapshot of this job has arrived for "
                + Texts.words(after)
                + (lastSeen == null
                        ? ""
                        : " (the last one was taken at "
                                + Instant.ofEpochMilli(lastSeen.longValue())
                                + ")")
                + ". The job may have failed terminally, or its metric publisher stopped: every other"
                + " alert about it is blind until its metrics return.";
    }
}

package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUMBER_OF_FAILED_CHECKPOINTS;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FlinkCheckpointFailures: {@code increase(numberOfFailedCheckpoints[10m]) > 0 for 10m}. The
 * increase survives counter resets (a restarted or resubmitted job counts from 0 again), and
 * because it must hold at every evaluation for ten minutes, a single failure — which leaves the
 * ten-minute window after ten minutes — never fires: only failures that keep coming do.
 */
public final class CheckpointFailures extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkCheckpointFailures";

    private final Duration range;

    public CheckpointFailures(Duration range, Duration sustainFor) {
        super(NAME, Severity.CRITICAL, sustainFor, Runbooks.CHECKPOINTS);
        this.range = range;
    }

    @Override
    public Set<String> metrics() {
        return Set.of(NUMBER_OF_FAILED_CHECKPOINTS, NUMBER_OF_COMPLETED_CHECKPOINTS);
    }

    @Override
    public long rangeMs() {
        return range.toMillis();
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        double increase = job.series(NUMBER_OF_FAILED_CHECKPOINTS).increase(time, range.toMillis());
        if (!(increase > 0)) {
            return;
        }
        Evidence evidence =
                Evidence.builder()
                        .value("failedCheckpointsIncrease", increase)
                        .value(
                                "numberOfFailedCheckpoints",
                                job.latest(
                                        NUMBER_OF_FAILED_CHECKPOINTS, time, context.lookbackMs()))
                        .value(
                                "numberOfCompletedCheckpoints",
                                job.latest(
                                        NUMBER_OF_COMPLETED_CHECKPOINTS,
                                        time,
                                        context.lookbackMs()))
                        .value("rangeMs", range.toMillis())
                        .build();
        holding.add(holds(AlertInstances.job(this, job.cluster, job.jobName), job.jobId, evidence));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Checkpoints keep failing for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "The number of failed checkpoints has increased (by "
                + Texts.value(evidence, "failedCheckpointsIncrease")
                + " over the last "
                + Texts.words(range)
                + ") at every evaluation for "
                + Texts.words(sustainFor())
                + ". Without completed checkpoints the job cannot recover to a consistent state if it"
                + " crashes, and exactly-once sinks do not commit.";
    }
}

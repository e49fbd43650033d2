package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_DURATION;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.SampleWindow;
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
 * FlinkCheckpointAlignmentHigh: barrier alignment takes a large share of the checkpoint duration —
 * slow subtasks make fast ones buffer: data skew, or a slow disk on one TaskManager. Flink 2.2 has
 * no job-level alignment metric, so the tasks' {@code checkpointAlignmentTime} (ns) is used: the
 * worst subtask's, against the job's last checkpoint duration.
 */
public final class CheckpointAlignmentHigh extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkCheckpointAlignmentHigh";

    private final double maxShare;
    private final Duration minAlignment;

    public CheckpointAlignmentHigh(double maxShare, Duration minAlignment, Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.CHECKPOINTS);
        this.maxShare = maxShare;
        this.minAlignment = minAlignment;
    }

    @Override
    public Set<String> metrics() {
        return Set.of(CHECKPOINT_ALIGNMENT_TIME, LAST_CHECKPOINT_DURATION);
    }

    @Override
    public long rangeMs() {
        return 0;
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        double duration = job.latest(LAST_CHECKPOINT_DURATION, time, context.lookbackMs());
        if (!(duration > 0)) {
            return;
        }
        String worst = null;
        double worstMs = 0;
        for (Map.Entry<String, SampleWindow> alignment : job.alignments().entrySet()) {
            double ms = alignment.getValue().latest(time, context.lookbackMs()) / 1e6;
            if (ms > worstMs) {
                worstMs = ms;
                worst = alignment.getKey();
            }
        }
        double share = worstMs / duration;
        if (worst == null || worstMs < minAlignment.toMillis() || !(share > maxShare)) {
            return;
        }
        int separator = worst.lastIndexOf('|');
        Evidence evidence =
                Evidence.builder()
                        .value("alignmentMs", worstMs)
                        .value("lastCheckpointDurationMs", duration)
                        .value("alignmentShare", share)
                        .fact("slowestVertex", worst.substring(0, separator))
                        .fact("slowestSubtask", worst.substring(separator + 1))
                        .build();
        holding.add(holds(AlertInstances.job(this, job.cluster, job.jobName), job.jobId, evidence));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Checkpoint barrier alignment dominates checkpoints for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double share = evidence.values().get("alignmentShare");
        return "Barrier alignment took "
                + Texts.value(evidence, "alignmentMs")
                + " ms of a "
                + Texts.value(evidence, "lastCheckpointDurationMs")
                + " ms checkpoint ("
                + (share == null ? "?" : Math.round(share * 100))
                + "%) at "
                + evidence.facts().getOrDefault("slowestVertex", "?")
                + " subtask "
                + evidence.facts().getOrDefault("slowestSubtask", "?")
                + ", above "
                + Math.round(maxShare * 100)
                + "% for "
                + Texts.words(sustainFor())
                + ": look for data skew across subtasks or a slow disk on one TaskManager.";
    }
}

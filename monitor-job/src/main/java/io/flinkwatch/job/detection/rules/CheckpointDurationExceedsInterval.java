package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_DURATION;

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
 * FlinkCheckpointDurationExceedsInterval: the last checkpoint took longer than the job's checkpoint
 * interval (as its publisher reports it): checkpoints queue up and eventually time out.
 */
public final class CheckpointDurationExceedsInterval extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkCheckpointDurationExceedsInterval";

    public CheckpointDurationExceedsInterval(Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.CHECKPOINTS);
    }

    @Override
    public Set<String> metrics() {
        return Set.of(LAST_CHECKPOINT_DURATION);
    }

    @Override
    public long rangeMs() {
        return 0;
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        if (TrendWindow.start(job, time, Duration.ZERO, context) == Long.MAX_VALUE) {
            return;
        }
        double interval = job.checkpointIntervalMs(time, context.lookbackMs());
        double duration = job.latest(LAST_CHECKPOINT_DURATION, time, context.lookbackMs());
        if (!(interval > 0) || !(duration > interval)) {
            return;
        }
        Evidence evidence =
                Evidence.builder()
                        .value("lastCheckpointDurationMs", duration)
                        .value("checkpointIntervalMs", interval)
                        .build();
        holding.add(holds(AlertInstances.job(this, job.cluster, job.jobName), job.jobId, evidence));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Checkpoints take longer than the checkpoint interval for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "The last checkpoint took "
                + Texts.value(evidence, "lastCheckpointDurationMs")
                + " ms, more than the checkpoint interval of "
                + Texts.value(evidence, "checkpointIntervalMs")
                + " ms, for "
                + Texts.words(sustainFor())
                + ". Checkpoints will queue up and eventually time out.";
    }
}

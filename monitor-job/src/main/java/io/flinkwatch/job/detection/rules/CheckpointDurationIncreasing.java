package io.flinkwatch.job.detection.rules;

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
 * FlinkCheckpointDurationIncreasing: {@code deriv(lastCheckpointDuration[30m]) > 0 for 30m} — a
 * leading indicator, long before a checkpoint fails. Only the current run of the job counts (after
 * the restart grace), and durations of 0 or less (no checkpoint yet) are no value. By default
 * ({@link TrendMode#SIGNIFICANT}) the rise must also stand out of the durations' own noise, and a
 * duration that stays put (no checkpoint completes) adds nothing to the trend.
 */
public final class CheckpointDurationIncreasing extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkCheckpointDurationIncreasing";

    private final Duration range;
    private final double minSlopeMsPerMinute;
    private final TrendCriterion criterion;

    public CheckpointDurationIncreasing(
            Duration range,
            Duration sustainFor,
            double minSlopeMsPerMinute,
            TrendCriterion criterion) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.CHECKPOINTS);
        this.range = range;
        this.minSlopeMsPerMinute = minSlopeMsPerMinute;
        this.criterion = criterion;
    }

    @Override
    public Set<String> metrics() {
        return Set.of(LAST_CHECKPOINT_DURATION);
    }

    @Override
    public long rangeMs() {
        return range.toMillis();
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        long from = TrendWindow.start(job, time, range, context);
        if (from == Long.MAX_VALUE) {
            return;
        }
        SampleWindow durations = job.series(LAST_CHECKPOINT_DURATION);
        TrendCriterion.Growth growth =
                criterion.growing(durations, from, time, true, minSlopeMsPerMinute / 60);
        if (growth == null) {
            return;
        }
        double slopePerMinute = growth.slopePerSecond() * 60;
        Evidence.Builder evidence =
                Evidence.builder()
                        .value("slopeMsPerMinute", slopePerMinute)
                        .value(
                                "lastCheckpointDurationMs",
                                durations.latest(time, context.lookbackMs()))
                        .value("firstCheckpointDurationMs", durations.firstAfter(from, time))
                        .value("rangeMs", time - from);
        growth.addTo(evidence);
        holding.add(
                holds(
                        AlertInstances.job(this, job.cluster, job.jobName),
                        job.jobId,
                        evidence.build()));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Checkpoint duration keeps increasing for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "The last checkpoint's duration has been trending up (least-squares slope "
                + Texts.value(evidence, "slopeMsPerMinute")
                + " ms per minute, now "
                + Texts.value(evidence, "lastCheckpointDurationMs")
                + " ms) at every evaluation for "
                + Texts.words(sustainFor())
                + ". Checkpoints that keep getting slower eventually exceed the interval and time out.";
    }
}

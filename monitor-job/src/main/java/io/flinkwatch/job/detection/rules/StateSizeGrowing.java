package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_FULL_SIZE;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_SIZE;

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
 * FlinkStateSizeGrowing: {@code deriv(lastCheckpointSize[1h]) > threshold for 1h}. With incremental
 * checkpoints {@code lastCheckpointSize} is only the increment, so the full size is used when the
 * job reports it ({@code lastCheckpointFullSize}). Only the current run counts. By default ({@link
 * TrendMode#SIGNIFICANT}) the growth must also stand out of the size's own noise, and a size that
 * stays put (no checkpoint completes) adds nothing to the trend.
 */
public final class StateSizeGrowing extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkStateSizeGrowing";

    private final Duration range;
    private final double thresholdBytesPerSecond;
    private final TrendCriterion criterion;

    public StateSizeGrowing(
            Duration range,
            Duration sustainFor,
            double thresholdBytesPerSecond,
            TrendCriterion criterion) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.STATE_SIZE);
        this.range = range;
        this.thresholdBytesPerSecond = thresholdBytesPerSecond;
        this.criterion = criterion;
    }

    @Override
    public Set<String> metrics() {
        return Set.of(LAST_CHECKPOINT_FULL_SIZE, LAST_CHECKPOINT_SIZE);
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
        boolean full = job.latest(LAST_CHECKPOINT_FULL_SIZE, time, context.lookbackMs()) > 0;
        String metric = full ? LAST_CHECKPOINT_FULL_SIZE : LAST_CHECKPOINT_SIZE;
        SampleWindow sizes = job.series(metric);
        TrendCriterion.Growth growth =
                criterion.growing(sizes, from, time, true, thresholdBytesPerSecond);
        if (growth == null) {
            return;
        }
        double slope = growth.slopePerSecond();
        Evidence.Builder evidence =
                Evidence.builder()
                        .value("growthBytesPerSecond", slope)
                        .value("growthBytesPerHour", slope * 3600)
                        .value("stateSizeBytes", sizes.latest(time, context.lookbackMs()))
                        .value("thresholdBytesPerSecond", thresholdBytesPerSecond)
                        .fact("metric", metric);
        growth.addTo(evidence);
        holding.add(
                holds(
                        AlertInstances.job(this, job.cluster, job.jobName),
                        job.jobId,
                        evidence.build()));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "State keeps growing for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double perHour = evidence.values().get("growthBytesPerHour");
        Double size = evidence.values().get("stateSizeBytes");
        return "Checkpointed state has grown by "
                + (perHour == null ? "unknown" : Texts.bytes(perHour))
                + " per hour (least squares over "
                + Texts.words(range)
                + "; now "
                + (size == null ? "unknown" : Texts.bytes(size))
                + ") for "
                + Texts.words(sustainFor())
                + ". Unbounded state usually means a window that never fires, a join without eviction"
                + " or missing state TTL.";
    }
}

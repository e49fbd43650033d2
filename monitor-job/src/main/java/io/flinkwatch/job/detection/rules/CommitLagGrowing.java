package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.math.RefreshedTrend;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.analytics.operator.OperatorSamples;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * FlinkCommitLagGrowing: the committed offset falls further and further behind the consumed one
 * (the Kafka source's {@code currentOffset} minus {@code committedOffset}, summed over partitions):
 * records are read but not written out and committed — a slow or unavailable destination, or
 * checkpoints that no longer complete (offsets are committed on checkpoints).
 *
 * <p>Offsets are committed on checkpoints, so even a healthy gap is a sawtooth whose slope over a
 * few minutes is positive about half the time. The gap must therefore also exceed {@code
 * minUncommitted} worth of consumption (at the consumed rate, or at the gap's own slope when the
 * rate is unknown): more than checkpointing leaves uncommitted. By default ({@link
 * TrendMode#SIGNIFICANT}) the growth must also stand out of the gap's own noise.
 */
public final class CommitLagGrowing extends BaseRule implements OperatorRule {

    public static final String NAME = "FlinkCommitLagGrowing";

    private final Duration range;
    private final double minSlopePerSecond;
    private final Duration minUncommitted;
    private final TrendCriterion criterion;

    public CommitLagGrowing(
            Duration range,
            double minSlopePerSecond,
            Duration minUncommitted,
            Duration sustainFor,
            TrendCriterion criterion) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.CONSUMER_LAG);
        this.range = range;
        this.minSlopePerSecond = minSlopePerSecond;
        this.minUncommitted = minUncommitted;
        this.criterion = criterion;
    }

    @Override
    public long rangeMs() {
        return range.toMillis();
    }

    @Override
    public void evaluate(OperatorView view, long time, long lookbackMs, List<RuleOutcome> holding) {
        for (OperatorSamples operator : view.operators()) {
            double behind = operator.commitLag.latest(time, lookbackMs);
            if (Double.isNaN(behind)) {
                continue;
            }
            // Committed offsets move only on checkpoints: the gap drops at each commit.
            long from = time - range.toMillis();
            TrendCriterion.Growth growth =
                    criterion.growingByRefreshes(
                            operator.commitLag,
                            from - range.toMillis(),
                            from,
                            time,
                            RefreshedTrend.Refresh.DROPS,
                            minSlopePerSecond);
            if (growth == null) {
                continue;
            }
            double slope = growth.slopePerSecond();
            double consumedRate = operator.consumedPerSecond(time, range.toMillis(), lookbackMs);
            double perSecond = consumedRate > 0 ? consumedRate : slope;
            if (!(behind > perSecond * minUncommitted.toMillis() / 1000.0)) {
                continue;
            }
            Evidence.Builder evidence =
                    Evidence.builder()
                            .value("uncommittedRecords", behind)
                            .value("commitLagSlopePerSecond", slope);
            growth.addTo(evidence);
            LagSeconds.add(evidence, behind, consumedRate);
            holding.add(
                    holds(
                            AlertInstances.operator(
                                    this,
                                    view.cluster(),
                                    view.jobName(),
                                    operator.vertexName,
                                    operator.subtask,
                                    operator.operatorName),
                            view.jobId(),
                            evidence.build()));
        }
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Committed offsets fall behind: "
                + Texts.where(labels)
                + " has "
                + Texts.value(evidence, "uncommittedRecords")
                + " consumed but uncommitted records"
                + LagSeconds.words(evidence);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "The gap between consumed and committed offsets has grown at every evaluation for "
                + Texts.words(sustainFor())
                + ". Records are read but not committed: check the sink's destination and whether"
                + " checkpoints complete (the Kafka source commits offsets on checkpoints).";
    }
}

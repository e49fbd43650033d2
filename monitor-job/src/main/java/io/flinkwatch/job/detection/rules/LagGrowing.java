package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
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
 * FlinkLagGrowing: {@code deriv(records-lag-max[5m]) > 0 for 5m}, per consumer (operator subtask),
 * with an optional minimum slope. Short lag spikes during traffic peaks catch up and never hold for
 * the whole duration; a job falling behind does. The lag is also given in seconds: the records
 * behind divided by the consumption rate.
 *
 * <p>By default ({@link TrendMode#SIGNIFICANT}) the growth must also stand out of the lag's own
 * noise, and the lag must be at least {@code minLag} behind in time (the poller's estimate, or lag
 * ÷ consumption rate; a consumer that consumes nothing is behind without bound; when neither is
 * known the records alone decide): jitter around a flat lag, or a lag of a fraction of a second, is
 * no incident.
 */
public final class LagGrowing extends BaseRule implements OperatorRule {

    public static final String NAME = "FlinkLagGrowing";

    private final Duration range;
    private final double minSlopePerSecond;
    private final TrendCriterion criterion;
    private final Duration minLag;

    public LagGrowing(
            Duration range,
            double minSlopePerSecond,
            Duration sustainFor,
            TrendCriterion criterion,
            Duration minLag) {
        super(NAME, Severity.CRITICAL, sustainFor, Runbooks.CONSUMER_LAG);
        this.range = range;
        this.minSlopePerSecond = minSlopePerSecond;
        this.criterion = criterion;
        this.minLag = minLag;
    }

    @Override
    public long rangeMs() {
        return range.toMillis();
    }

    @Override
    public void evaluate(OperatorView view, long time, long lookbackMs, List<RuleOutcome> holding) {
        for (OperatorSamples operator : view.operators()) {
            double lag = operator.lag.latest(time, lookbackMs);
            if (Double.isNaN(lag)) {
                continue;
            }
            TrendCriterion.Growth growth =
                    criterion.growing(
                            operator.lag, time - range.toMillis(), time, false, minSlopePerSecond);
            if (growth == null) {
                continue;
            }
            double consumedRate = operator.consumedRate.latest(time, lookbackMs);
            double estimatedSeconds = operator.lagSeconds.latest(time, lookbackMs);
            if (criterion.mode() == TrendMode.SIGNIFICANT
                    && LagSeconds.of(lag, consumedRate, estimatedSeconds)
                            < minLag.toMillis() / 1000.0) {
                continue;
            }
            double slope = growth.slopePerSecond();
            Evidence.Builder evidence =
                    Evidence.builder()
                            .value("recordsLagMax", lag)
                            .value("lagSlopePerSecond", slope)
                            .value("lagGrowthPerMinute", slope * 60);
            growth.addTo(evidence);
            LagSeconds.add(evidence, lag, consumedRate, estimatedSeconds);
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
        return "Consumer lag keeps growing: "
                + Texts.where(labels)
                + " is "
                + Texts.value(evidence, "recordsLagMax")
                + " records behind"
                + LagSeconds.words(evidence);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "records-lag-max has grown (least-squares slope over "
                + Texts.words(range)
                + ": "
                + Texts.value(evidence, "lagGrowthPerMinute")
                + " records per minute) at every evaluation for "
                + Texts.words(sustainFor())
                + ". The job is falling behind its input.";
    }
}

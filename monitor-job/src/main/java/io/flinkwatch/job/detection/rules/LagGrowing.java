package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.job.analytics.SampleWindow;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.analytics.operator.OperatorSamples;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * FlinkLagGrowing: a source falls further and further behind its input, per consumer (operator
 * subtask), sustained for a while. Short lag spikes during traffic peaks catch up and never hold
 * for the whole duration; a job falling behind does.
 *
 * <p>By default ({@link TrendMode#SIGNIFICANT}) a source is judged by the freshest measure it
 * reports:
 *
 * <ol>
 *   <li><b>Its lag in time</b>, {@code currentEmitEventTimeLag} (FLIP-33): how old the record it
 *       emitted last is. Flink computes it when it is read, so it stays true while the source is
 *       backpressured, when the Kafka consumer fetches rarely and its record counts ({@code
 *       records-lag-max}, {@code pendingRecords}) go stale for minutes and even fall while the
 *       backlog grows. A job falling behind sees it grow at {@code 1 - consumed ÷ produced} seconds
 *       a second. It counts only while the source consumes (its offsets moved since its previous
 *       sample) or records wait to be read ({@code pendingRecords} or {@code records-lag-max} above
 *       0 in the range): an idle source's lag in time grows by itself.
 *   <li>Otherwise <b>its records behind</b>: {@code records-lag-max}, else {@code pendingRecords}
 *       (the consumer-group lag poller's snapshots carry log-end minus committed offsets under the
 *       first name).
 * </ol>
 *
 * <p>Either way the growth must stand out of the series' own noise and the lag must be at least
 * {@code minLag} behind in time ({@link LagSeconds}; when not even records and a rate give a time,
 * the records alone decide): jitter around a flat lag, or a lag of a fraction of a second, is no
 * incident. In mode {@link TrendMode#DERIV} the rule is the article's {@code
 * deriv(records-lag-max[5m]) > 0}, exactly.
 */
public final class LagGrowing extends BaseRule implements OperatorRule {

    public static final String NAME = "FlinkLagGrowing";

    /** Evidence fact naming the series the verdict was read from. */
    static final String SIGNAL = "signal";

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
            Evidence.Builder evidence = judge(operator, time, lookbackMs);
            if (evidence == null) {
                continue;
            }
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

    /** The evidence when the operator falls behind, or null. */
    @Nullable
    private Evidence.Builder judge(OperatorSamples operator, long time, long lookbackMs) {
        if (criterion.mode() == TrendMode.DERIV) {
            return byRecords(operator, operator.lag, RECORDS_LAG_MAX, time, lookbackMs);
        }
        double emitLag = operator.emitLag.latest(time, lookbackMs);
        if (!Double.isNaN(emitLag)) {
            return byTime(operator, emitLag, time, lookbackMs);
        }
        if (!Double.isNaN(operator.lag.latest(time, lookbackMs))) {
            return byRecords(operator, operator.lag, RECORDS_LAG_MAX, time, lookbackMs);
        }
        return byRecords(operator, operator.pending, PENDING_RECORDS, time, lookbackMs);
    }

    private static final String RECORDS_LAG_MAX = "recordsLagMax";
    private static final String PENDING_RECORDS = "pendingRecords";

    @Nullable
    private Evidence.Builder byTime(
            OperatorSamples operator, double lagSeconds, long time, long lookbackMs) {
        long from = time - range.toMillis();
        TrendCriterion.Growth growth = criterion.growing(operator.emitLag, from, time, false, 0);
        if (growth == null || lagSeconds < minLag.toMillis() / 1000.0) {
            return null;
        }
        if (!operator.consumingNow(time, lookbackMs)
                && !(Math.max(max(operator.pending, from, time), max(operator.lag, from, time))
                        > 0)) {
            // Nothing consumed lately and no record waiting: an idle source, whose lag in time
            // grows by itself.
            return null;
        }
        // Seconds of lag gained per second: 1 - consumed/produced, so the records gained per
        // second are consumed × slope / (1 - slope).
        double slope = growth.slopePerSecond();
        double consumed = operator.consumedPerSecond(time, range.toMillis(), lookbackMs);
        double recordsPerSecond =
                slope >= 1 ? Double.POSITIVE_INFINITY : consumed * slope / (1 - slope);
        if (minSlopePerSecond > 0 && !(recordsPerSecond > minSlopePerSecond)) {
            return null;
        }
        Evidence.Builder evidence =
                Evidence.builder()
                        .value("lagSeconds", lagSeconds)
                        .value("lagSecondsGrowthPerMinute", slope * 60)
                        .fact(SIGNAL, FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);
        addLatest(evidence, RECORDS_LAG_MAX, operator.lag, time, lookbackMs);
        addLatest(evidence, PENDING_RECORDS, operator.pending, time, lookbackMs);
        if (Double.isFinite(recordsPerSecond)) {
            evidence.value("lagSlopePerSecond", recordsPerSecond)
                    .value("lagGrowthPerMinute", recordsPerSecond * 60);
        }
        if (!Double.isNaN(consumed)) {
            evidence.value("recordsConsumedPerSecond", consumed);
        }
        growth.addTo(evidence);
        return evidence;
    }

    @Nullable
    private Evidence.Builder byRecords(
            OperatorSamples operator,
            SampleWindow series,
            String name,
            long time,
            long lookbackMs) {
        double lag = series.latest(time, lookbackMs);
        if (Double.isNaN(lag)) {
            return null;
        }
        // The lag is read against a part that is refreshed only now and then (see lagRefresh).
        long from = time - range.toMillis();
        TrendCriterion.Growth growth =
                criterion.growingByRefreshes(
                        series,
                        from - range.toMillis(),
                        from,
                        time,
                        operator.lagRefresh(),
                        minSlopePerSecond);
        if (growth == null) {
            return null;
        }
        double consumed = operator.consumedPerSecond(time, range.toMillis(), lookbackMs);
        double estimatedSeconds = operator.lagSeconds.latest(time, lookbackMs);
        if (criterion.mode() == TrendMode.SIGNIFICANT
                && LagSeconds.of(lag, consumed, estimatedSeconds) < minLag.toMillis() / 1000.0) {
            return null;
        }
        double slope = growth.slopePerSecond();
        Evidence.Builder evidence =
                Evidence.builder()
                        .value(name, lag)
                        .value("lagSlopePerSecond", slope)
                        .value("lagGrowthPerMinute", slope * 60)
                        .fact(
                                SIGNAL,
                                name.equals(RECORDS_LAG_MAX)
                                        ? FlinkMetricNames.RECORDS_LAG_MAX
                                        : FlinkMetricNames.PENDING_RECORDS);
        growth.addTo(evidence);
        LagSeconds.add(evidence, lag, consumed, estimatedSeconds);
        return evidence;
    }

    private static double max(SampleWindow series, long from, long to) {
        double max = series.max(from, to);
        return Double.isNaN(max) ? 0 : max;
    }

    private static void addLatest(
            Evidence.Builder evidence, String name, SampleWindow series, long time, long lookback) {
        double value = series.latest(time, lookback);
        if (!Double.isNaN(value)) {
            evidence.value(name, value);
        }
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        Map<String, Double> values = evidence.values();
        Double growth = values.get("lagSecondsGrowthPerMinute");
        if (growth != null && values.containsKey("lagSeconds")) {
            return "Consumer lag keeps growing: "
                    + Texts.where(labels)
                    + " is "
                    + LagSeconds.duration(values.get("lagSeconds"))
                    + " behind, "
                    + LagSeconds.duration(growth)
                    + " more every minute";
        }
        String records = values.containsKey(RECORDS_LAG_MAX) ? RECORDS_LAG_MAX : PENDING_RECORDS;
        return "Consumer lag keeps growing: "
                + Texts.where(labels)
                + " is "
                + Texts.value(evidence, records)
                + " records behind"
                + LagSeconds.words(evidence);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        if (FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG.equals(evidence.facts().get(SIGNAL))) {
            return "The source's lag in time (currentEmitEventTimeLag, how old the records it emits"
                    + " are) has grown (least-squares slope over "
                    + Texts.words(range)
                    + ": "
                    + Texts.value(evidence, "lagSecondsGrowthPerMinute")
                    + " s per minute) at every evaluation for "
                    + Texts.words(sustainFor())
                    + ", while records waited to be read. The job is falling behind its input.";
        }
        return evidence.facts().getOrDefault(SIGNAL, FlinkMetricNames.RECORDS_LAG_MAX)
                + " has grown (least-squares slope over "
                + Texts.words(range)
                + ": "
                + Texts.value(evidence, "lagGrowthPerMinute")
                + " records per minute) at every evaluation for "
                + Texts.words(sustainFor())
                + ". The job is falling behind its input.";
    }
}

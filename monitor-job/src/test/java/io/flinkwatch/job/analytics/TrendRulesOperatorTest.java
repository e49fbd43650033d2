package io.flinkwatch.job.analytics;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthFamily;
import io.flinkwatch.job.analytics.operator.OperatorFamily;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import io.flinkwatch.job.detection.rules.CheckpointDurationIncreasing;
import io.flinkwatch.job.detection.rules.LagGrowing;
import io.flinkwatch.job.detection.rules.TrendCriterion;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The trend rules inside the analytics operator, on Flink's keyed operator harness (15 s grid, 5m
 * staleness): the condition edges it sends to the sustained-condition pattern, whose "for" needs a
 * run of RAISED and HOLDING edges as long as the rule's duration.
 */
class TrendRulesOperatorTest {

    private static final EvaluationGrid GRID = new EvaluationGrid(seconds(15), seconds(300));

    private static final long DAY = 86_400;

    @Test
    void aDayOfJitteredLagNeverHoldsForFiveMinutesButPlainDerivDoes() throws Exception {
        LongFunction<MetricSnapshot> jittered = t -> lag(t, 10_000 * (1 + 0.05 * jitter(t)));

        List<ConditionEvaluation> significant =
                edges(lagGrowing(TrendCriterion.DEFAULT), 0, DAY, jittered);
        List<ConditionEvaluation> deriv = edges(lagGrowing(TrendCriterion.DERIV), 0, DAY, jittered);

        assertThat(longestRunSeconds(significant)).isLessThan(300);
        assertThat(longestRunSeconds(deriv)).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aCleanRiseIsRaisedAtTheSameEvaluationAsPlainDeriv() throws Exception {
        // Flat at 10,000 records (100 s at 100 records/s), then 1 % of that more per minute.
        LongFunction<MetricSnapshot> rising =
                t -> lag(t, 10_000 + (t > 3600 ? 100 * (t - 3600) / 60.0 : 0));

        List<ConditionEvaluation> significant =
                edges(lagGrowing(TrendCriterion.DEFAULT), 0, 7200, rising);
        List<ConditionEvaluation> deriv = edges(lagGrowing(TrendCriterion.DERIV), 0, 7200, rising);

        assertThat(significant).isNotEmpty();
        assertThat(significant.get(0).kind()).isEqualTo(Kind.RAISED);
        assertThat(significant.get(0).timestamp()).isEqualTo(deriv.get(0).timestamp());
        assertThat(significant.get(0).timestamp()).isEqualTo(seconds(3615));
        assertThat(significant).noneMatch(e -> e.kind() == Kind.CLEARED);
        assertThat(significant.get(0).evidence().values()).containsKeys("noise", "lagSeconds");
    }

    @Test
    void aCheckpointDurationFrozenWhileCheckpointsFailHoldsNoTrend() throws Exception {
        // ±5 % per one-minute checkpoint, then from 2 h every checkpoint fails: the gauge stays
        // at the last completed one's duration, which was 50 % slower.
        LongFunction<MetricSnapshot> frozen =
                t -> {
                    long c = Math.min(t / 60 * 60, 7140);
                    double duration = 5000 * (c == 7140 ? 1.5 : 1) * (1 + 0.05 * jitter(c));
                    return Snapshots.job("orders")
                            .at(seconds(t))
                            .status("RUNNING")
                            .checkpointInterval(60_000)
                            .metric("uptime", seconds(DAY + t))
                            .metric("lastCheckpointDuration", Math.rint(duration))
                            .metric("numberOfFailedCheckpoints", Math.max(0, (t - 7200) / 60))
                            .build();
                };
        CheckpointDurationIncreasing rule =
                new CheckpointDurationIncreasing(
                        Duration.ofMinutes(30), Duration.ofMinutes(30), 0, TrendCriterion.DEFAULT);

        List<ConditionEvaluation> edges = new ArrayList<>();
        JobHealthFamily family = new JobHealthFamily(List.of(rule), GRID.stalenessMs(), 120_000);
        try (var harness = harness(new JobAnalytics(GRID, List.of(family)))) {
            for (long t = 0; t <= 5 * 3600; t += 15) {
                MetricSnapshot snapshot = frozen.apply(t);
                harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
                harness.processWatermark(snapshot.timestamp());
            }
            edges.addAll(sideOutput(harness));
        }
        assertThat(longestRunSeconds(edges)).isLessThan(1800);
    }

    private static LagGrowing lagGrowing(TrendCriterion criterion) {
        return new LagGrowing(
                Duration.ofMinutes(5), 0, Duration.ofMinutes(5), criterion, Duration.ofSeconds(1));
    }

    private static MetricSnapshot lag(long second, double records) {
        return Snapshots.job("orders")
                .operator("Source: orders", 0, 0, "Source: orders")
                .at(seconds(second))
                .metric("records-lag-max", Math.rint(records))
                .metric("KafkaSourceReader.topic.orders.partition.0.currentOffset", 100 * second)
                .build();
    }

    /** Seeded uniform jitter in [-1, 1), a pure function of the second. */
    private static double jitter(long second) {
        return 2 * new SplittableRandom(42 * 1_000_003L + second).nextDouble() - 1;
    }

    /** The edges of one operator rule over a sample every 15 s in {@code [from, to]} seconds. */
    private static List<ConditionEvaluation> edges(
            LagGrowing rule, long from, long to, LongFunction<MetricSnapshot> sampleAt)
            throws Exception {
        OperatorFamily family = new OperatorFamily(List.of(rule), GRID.stalenessMs());
        try (var harness = harness(new JobAnalytics(GRID, List.of(family)))) {
            for (long t = from; t <= to; t += 15) {
                MetricSnapshot snapshot = sampleAt.apply(t);
                harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
                harness.processWatermark(snapshot.timestamp());
            }
            return sideOutput(harness);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            harness(JobAnalytics analytics) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(analytics), JobKeys::of, Types.STRING);
        harness.open();
        return harness;
    }

    private static List<ConditionEvaluation> sideOutput(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness) {
        List<ConditionEvaluation> edges = new ArrayList<>();
        var output = harness.getSideOutput(JobAnalytics.EVALUATIONS);
        if (output != null) {
            for (StreamRecord<ConditionEvaluation> record : output) {
                edges.add(record.getValue());
            }
        }
        return edges;
    }

    /** The longest time from a RAISED edge to the last HOLDING edge of its run, in seconds. */
    private static long longestRunSeconds(List<ConditionEvaluation> edges) {
        long longest = 0;
        long raisedAt = Long.MIN_VALUE;
        for (ConditionEvaluation edge : edges) {
            switch (edge.kind()) {
                case RAISED -> raisedAt = edge.timestamp();
                case HOLDING -> {
                    if (raisedAt != Long.MIN_VALUE) {
                        longest = Math.max(longest, (edge.timestamp() - raisedAt) / 1000);
                    }
                }
                case CLEARED -> raisedAt = Long.MIN_VALUE;
            }
        }
        return longest;
    }
}

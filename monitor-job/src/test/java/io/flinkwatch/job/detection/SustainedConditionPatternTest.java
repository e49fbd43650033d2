package io.flinkwatch.job.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The "held at every evaluation for D" pattern on Flink's CEP operator ({@link
 * SustainedConditionOperator}), fed with evaluations every 15 s of a rule that must hold for 2
 * minutes (times below are in seconds).
 */
class SustainedConditionPatternTest {

    private static final Duration TWO_MINUTES = Duration.ofMinutes(2);

    @Test
    void firesAtTheFirstEvaluationAtLeastTheDurationAfterTheRaise() throws Exception {
        // Raised at 0 s, holding every 15 s: 120 s is the first evaluation with 120 - 0 >= 120.
        List<AlertSignal> fired = run(holdingRun(0, 180));

        assertThat(fired).hasSize(1);
        assertThat(fired.get(0).timestamp()).isEqualTo(120_000);
        assertThat(fired.get(0).activeSince()).isEqualTo(0);
        assertThat(fired.get(0).kind()).isEqualTo(AlertSignal.Kind.FIRE);
    }

    @Test
    void aSpikeShorterThanTheDurationNeverFires() throws Exception {
        // Holds from 0 s to 105 s, clears at 120 s: 105 - 0 < 120, and the clear kills the run.
        List<ConditionEvaluation> spike = new ArrayList<>(holdingRun(0, 105));
        spike.add(evaluation(120, Kind.CLEARED, 0));
        spike.addAll(holdingRun(300, 330));

        assertThat(run(spike)).isEmpty();
    }

    @Test
    void aClearAtTheVeryInstantTheDurationEndsWins() throws Exception {
        // Prometheus evaluates at 120 s, finds the condition false and does not fire.
        List<ConditionEvaluation> almost = new ArrayList<>(holdingRun(0, 105));
        almost.add(evaluation(120, Kind.CLEARED, 0));

        assertThat(run(almost)).isEmpty();
    }

    @Test
    void eachRunFiresOnceHoweverLongItLasts() throws Exception {
        List<ConditionEvaluation> twoRuns = new ArrayList<>(holdingRun(0, 600));
        twoRuns.add(evaluation(615, Kind.CLEARED, 0));
        twoRuns.addAll(holdingRun(630, 900));

        assertThat(run(twoRuns))
                .extracting(AlertSignal::timestamp)
                .containsExactly(120_000L, 750_000L);
    }

    @Test
    void eachEvaluationCarriesItsOwnRulesDuration() throws Exception {
        List<ConditionEvaluation> fiveMinuteRule =
                holdingRun(0, 400).stream()
                        .map(e -> withDuration(e, Duration.ofMinutes(5)))
                        .toList();

        assertThat(run(fiveMinuteRule))
                .extracting(AlertSignal::timestamp)
                .containsExactly(300_000L);
    }

    @Test
    void evaluationsArrivingOutOfOrderBeforeTheWatermarkAreSortedFirst() throws Exception {
        List<ConditionEvaluation> shuffled = new ArrayList<>(holdingRun(0, 150));
        java.util.Collections.reverse(shuffled);

        assertThat(run(shuffled)).extracting(AlertSignal::timestamp).containsExactly(120_000L);
    }

    @Test
    void aRaiseWhoseClearWasLostIsNotCompletedByALaterRun() throws Exception {
        // Raised at 0 s; the CLEARED at 30 s never arrives; the condition returns at 300 s.
        List<ConditionEvaluation> lostClear = new ArrayList<>(holdingRun(0, 15));
        lostClear.addAll(holdingRun(300, 450));

        // Only the second run fires, two minutes after its own raise.
        assertThat(run(lostClear))
                .extracting(AlertSignal::timestamp, AlertSignal::activeSince)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(420_000L, 300_000L));
    }

    @Test
    void aLateClearIsCountedOnTheSideOutputNotLost() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, holdingRun(0, 15));
            harness.processWatermark(60_000);
            // The CLEARED of 30 s arrives after event time reached 60 s.
            feed(harness, List.of(evaluation(30, Kind.CLEARED, 0)));
            feed(harness, holdingRun(300, 450));
            harness.processWatermark(Long.MAX_VALUE);

            assertThat(harness.getSideOutput(LateConditionEdges.TAG))
                    .extracting(record -> record.getValue().kind(), StreamRecord::getTimestamp)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.CLEARED, 30_000L));
            assertThat(signals(harness))
                    .extracting(AlertSignal::timestamp, AlertSignal::activeSince)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(420_000L, 300_000L));
        }
    }

    @Test
    void anInstanceWhoseConditionIsNotOpenHoldsNoState() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, holdingRun(0, 60));
            harness.processWatermark(60_000);
            // Raised and not cleared: the partial match is state.
            assertThat(harness.numKeyedStateEntries()).isPositive();

            feed(harness, List.of(evaluation(75, Kind.CLEARED, 0)));
            harness.processWatermark(75_000);
            assertThat(harness.numKeyedStateEntries()).isZero();

            // A fired and cleared run leaves nothing either, and the next run fires as the first.
            feed(harness, holdingRun(300, 450));
            feed(harness, List.of(evaluation(465, Kind.CLEARED, 300)));
            harness.processWatermark(465_000);
            assertThat(signals(harness))
                    .extracting(AlertSignal::timestamp)
                    .containsExactly(420_000L);
            assertThat(harness.numKeyedStateEntries()).isZero();
            feed(harness, holdingRun(600, 750));
            harness.processWatermark(750_000);
            assertThat(signals(harness))
                    .extracting(AlertSignal::timestamp)
                    .containsExactly(420_000L, 720_000L);
        }
    }

    @Test
    void aPartialMatchSurvivesARestoreFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            feed(harness, holdingRun(0, 60));
            harness.processWatermark(60_000);
            snapshot = harness.snapshot(1, 61_000);
        }
        try (var harness = harness()) {
            harness.initializeState(snapshot);
            harness.open();
            feed(
                    harness,
                    holdingRun(75, 150).stream()
                            .map(e -> evaluation(e.timestamp() / 1000, Kind.HOLDING, 0))
                            .toList());
            harness.processWatermark(150_000);
            assertThat(signals(harness))
                    .extracting(AlertSignal::timestamp)
                    .containsExactly(120_000L);
        }
    }

    static List<ConditionEvaluation> holdingRun(long fromSeconds, long toSeconds) {
        List<ConditionEvaluation> run = new ArrayList<>();
        for (long t = fromSeconds; t <= toSeconds; t += 15) {
            run.add(evaluation(t, t == fromSeconds ? Kind.RAISED : Kind.HOLDING, fromSeconds));
        }
        return run;
    }

    static ConditionEvaluation evaluation(long seconds, Kind kind, long sinceSeconds) {
        return new ConditionEvaluation(
                "FlinkTest",
                TWO_MINUTES.toMillis(),
                "fp",
                seconds * 1000,
                kind,
                sinceSeconds * 1000,
                Map.of("alertname", "FlinkTest"),
                "job",
                Evidence.builder().value("at", seconds).build());
    }

    private static ConditionEvaluation withDuration(ConditionEvaluation e, Duration duration) {
        return new ConditionEvaluation(
                e.rule(),
                duration.toMillis(),
                e.fingerprint(),
                e.timestamp(),
                e.kind(),
                e.since(),
                e.labels(),
                e.jobId(),
                e.evidence());
    }

    private static List<AlertSignal> run(List<ConditionEvaluation> evaluations) throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, evaluations);
            harness.processWatermark(Long.MAX_VALUE);
            return signals(harness);
        }
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, ConditionEvaluation, AlertSignal>
                    harness,
            List<ConditionEvaluation> evaluations)
            throws Exception {
        for (ConditionEvaluation evaluation : evaluations) {
            harness.processElement(new StreamRecord<>(evaluation, evaluation.timestamp()));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ConditionEvaluation, AlertSignal>
            harness() throws Exception {
        SustainedConditionOperator operator =
                new SustainedConditionOperator(
                        TypeInformation.of(ConditionEvaluation.class)
                                .createSerializer(new SerializerConfigImpl()));
        return new KeyedOneInputStreamOperatorTestHarness<>(
                operator, ConditionEvaluation::fingerprint, Types.STRING);
    }

    @SuppressWarnings("unchecked")
    private static List<AlertSignal> signals(
            KeyedOneInputStreamOperatorTestHarness<String, ConditionEvaluation, AlertSignal>
                    harness) {
        List<AlertSignal> signals = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof StreamRecord<?> record) {
                signals.add((AlertSignal) record.getValue());
            }
        }
        return signals;
    }
}

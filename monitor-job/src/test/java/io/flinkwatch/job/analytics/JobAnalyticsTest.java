package io.flinkwatch.job.analytics;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthFamily;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.rules.JobNotRunning;
import io.flinkwatch.job.detection.rules.NoRecentCheckpoint;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The analytics operator on Flink's keyed operator harness (15 s grid, 60 s staleness). */
class JobAnalyticsTest {

    private static final EvaluationGrid GRID = new EvaluationGrid(seconds(15), seconds(60));

    @Test
    void evaluatesOnTheGridAndReportsEdges() throws Exception {
        try (var harness = harness()) {
            // Samples every 10 s: running, then down from 20 s, then up again at 50 s.
            send(
                    harness,
                    sample(0, 5000),
                    sample(10, 15000),
                    sample(20, 0),
                    sample(30, 0),
                    sample(40, 0),
                    sample(50, 1000));

            harness.processWatermark(seconds(45));

            // 15 s: latest sample (10 s) is up; 30 s: down (raised); 45 s: still down.
            assertThat(edges(harness)).containsExactly("30 RAISED", "45 HOLDING");

            harness.processWatermark(seconds(60));
            assertThat(edges(harness)).containsExactly("30 RAISED", "45 HOLDING", "60 CLEARED");
            // Raise and clear also go straight to the lifecycle: the raise keeps an alert in its
            // resolve hold going, the clear resolves the alert if it fired.
            assertThat(signals(harness))
                    .containsExactly(
                            "30 RAISE FlinkJobNotRunning", "60 RESOLVE FlinkJobNotRunning");
        }
    }

    @Test
    void aRuleWithoutDurationFiresOnItsRaiseWithoutThePattern() throws Exception {
        try (var harness = harness()) {
            // Checkpoints every 60 s, none completed since 0 s: after 180 s the limit is passed.
            for (int t = 0; t <= 240; t += 10) {
                send(
                        harness,
                        Snapshots.job("orders")
                                .at(seconds(t))
                                .status("RUNNING")
                                .checkpointInterval(60_000)
                                .metric("uptime", seconds(3600 + t))
                                .metric("lastCheckpointCompletedTimestamp", 0.001)
                                .metric("totalNumberOfCheckpoints", 10)
                                .build());
            }
            harness.processWatermark(seconds(240));

            assertThat(signals(harness)).containsExactly("195 FIRE FlinkNoRecentCheckpoint");
            assertThat(edges(harness)).isEmpty();
        }
    }

    @Test
    void aJobWithoutTheCheckpointTimestampGaugeIsJudgedByItsCompletedCount() throws Exception {
        try (var harness = harness()) {
            // Running for three days, a checkpoint a minute until 7200 s, then none: as a
            // recording of an older Flink without lastCheckpointCompletedTimestamp.
            for (int t = 0; t <= 7500; t += 10) {
                send(
                        harness,
                        Snapshots.job("orders")
                                .at(seconds(t))
                                .status("RUNNING")
                                .checkpointInterval(60_000)
                                .metric("uptime", seconds(3 * 86_400 + t))
                                .metric(
                                        "numberOfCompletedCheckpoints",
                                        4320 + Math.min(t, 7200) / 60)
                                .metric("totalNumberOfCheckpoints", 4320 + t / 60)
                                .build());
                harness.processWatermark(seconds(t));
            }

            // The count last changed at 7200 s: three intervals later, on the grid.
            assertThat(signals(harness)).containsExactly("7395 FIRE FlinkNoRecentCheckpoint");
        }
    }

    @Test
    void aKeyThatGoesStaleClearsItsConditionsAndLeavesNoStateOrTimers() throws Exception {
        try (var harness = harness()) {
            send(harness, sample(0, 0));
            harness.processWatermark(seconds(0));
            assertThat(edges(harness)).containsExactly("0 RAISED");

            harness.processWatermark(seconds(600));

            // 15..45 s: the sample is within 60 s; 60 s: stale, cleared, and evaluation stops.
            assertThat(edges(harness))
                    .containsExactly(
                            "0 RAISED", "15 HOLDING", "30 HOLDING", "45 HOLDING", "60 CLEARED");
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void theOutcomeDoesNotDependOnTheWatermarkSteps() throws Exception {
        List<String> stepwise;
        try (var harness = harness()) {
            send(harness, sample(0, 0), sample(10, 0), sample(20, 0));
            for (long t = 0; t <= 600; t += 5) {
                harness.processWatermark(seconds(t));
            }
            stepwise = edges(harness);
        }
        try (var harness = harness()) {
            send(harness, sample(0, 0), sample(10, 0), sample(20, 0));
            harness.processWatermark(Long.MAX_VALUE);
            assertThat(edges(harness)).isEqualTo(stepwise);
        }
    }

    @Test
    void stateSurvivesASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            send(harness, sample(0, 0), sample(10, 0));
            harness.processWatermark(seconds(0));
            snapshot = harness.snapshot(1, 1);
        }
        try (var harness = unopened()) {
            harness.initializeState(snapshot);
            harness.open();
            send(harness, sample(20, 0));
            harness.processWatermark(seconds(30));
            // The run that started at 0 s continues: HOLDING, not a new RAISED.
            assertThat(edges(harness)).containsExactly("15 HOLDING", "30 HOLDING");
        }
    }

    @Test
    void aNamesakeThatGoesDownIsReportedByItsIdAndItsTwinIsNot() throws Exception {
        List<String> sole;
        try (var harness = harness()) {
            for (int t = 0; t <= 600; t += 10) {
                send(harness, run("down", t, t >= 200 && t < 560));
            }
            harness.processWatermark(seconds(600));
            sole = edgesWithJobId(harness);
        }
        try (var harness = harness()) {
            for (int t = 0; t <= 600; t += 10) {
                send(harness, run("down", t, t >= 200 && t < 560), run("healthy", t, false));
            }
            harness.processWatermark(seconds(600));

            // Two running ids under one name: the down one's edges carry its id, at the same
            // event times as when it runs alone; the healthy twin has none.
            assertThat(edgesWithJobId(harness))
                    .containsExactlyElementsOf(
                            sole.stream().map(edge -> edge + " job_id=down").toList());
            // Down from 200 s to 560 s: raised at the first evaluation after, cleared likewise.
            assertThat(sole)
                    .startsWith("210 RAISED", "225 HOLDING")
                    .endsWith("555 HOLDING", "570 CLEARED");
        }
    }

    @Test
    void aSnapshotBehindTheWatermarkNeverSendsAnEdgeBehindIt() throws Exception {
        try (var harness = harness()) {
            send(harness, sample(0, 5000), sample(30, 5000), sample(60, 5000));
            harness.processWatermark(seconds(300));
            // From a partition that was idle while event time moved on: down at 100 s.
            send(harness, sample(100, 0));
            harness.processWatermark(seconds(315));
            harness.processWatermark(seconds(330));

            // Evaluating 105 s now would reach the pattern late (dropped there without a trace).
            var output = harness.getSideOutput(JobAnalytics.EVALUATIONS);
            for (StreamRecord<ConditionEvaluation> record :
                    output == null ? List.<StreamRecord<ConditionEvaluation>>of() : output) {
                assertThat(record.getTimestamp()).isGreaterThan(seconds(300));
            }
            assertThat(harness.extractOutputValues())
                    .allSatisfy(
                            signal -> assertThat(signal.timestamp()).isGreaterThan(seconds(300)));
        }
    }

    private static MetricSnapshot run(String jobId, long second, boolean down) {
        return Snapshots.job("Flink Streaming Job")
                .jobId(jobId)
                .at(seconds(second))
                .status(down ? "RESTARTING" : "RUNNING")
                .metric("uptime", down ? 0 : seconds(3600 + second))
                .build();
    }

    private static MetricSnapshot sample(long second, double uptime) {
        return Snapshots.job("orders").at(seconds(second)).metric("uptime", uptime).build();
    }

    /** An opened harness. */
    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            harness() throws Exception {
        var harness = unopened();
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            unopened() throws Exception {
        JobHealthFamily family =
                new JobHealthFamily(
                        List.of(
                                new JobNotRunning(Duration.ofMinutes(2)),
                                new NoRecentCheckpoint(3, Duration.ofMinutes(10), Duration.ZERO)),
                        GRID.stalenessMs(),
                        seconds(120));
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new JobAnalytics(GRID, List.of(family))),
                JobKeys::of,
                Types.STRING);
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness,
            MetricSnapshot... snapshots)
            throws Exception {
        for (MetricSnapshot snapshot : snapshots) {
            harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
        }
    }

    /** The edges sent to the sustained-condition pattern (side output). */
    private static List<String> edges(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness) {
        List<String> edges = new ArrayList<>();
        var output = harness.getSideOutput(JobAnalytics.EVALUATIONS);
        for (StreamRecord<ConditionEvaluation> record :
                output == null ? List.<StreamRecord<ConditionEvaluation>>of() : output) {
            ConditionEvaluation evaluation = record.getValue();
            edges.add(evaluation.timestamp() / 1000 + " " + evaluation.kind());
        }
        return edges;
    }

    /** The edges with the job id label, where an edge has one. */
    private static List<String> edgesWithJobId(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness) {
        List<String> edges = new ArrayList<>();
        var output = harness.getSideOutput(JobAnalytics.EVALUATIONS);
        for (StreamRecord<ConditionEvaluation> record :
                output == null ? List.<StreamRecord<ConditionEvaluation>>of() : output) {
            ConditionEvaluation evaluation = record.getValue();
            String jobId = evaluation.labels().get("job_id");
            edges.add(
                    evaluation.timestamp() / 1000
                            + " "
                            + evaluation.kind()
                            + (jobId == null ? "" : " job_id=" + jobId));
        }
        return edges;
    }

    /** The signals on the main output. */
    private static List<String> signals(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness) {
        List<String> signals = new ArrayList<>();
        for (AlertSignal signal : harness.extractOutputValues()) {
            signals.add(signal.timestamp() / 1000 + " " + signal.kind() + " " + signal.rule());
        }
        return signals;
    }
}

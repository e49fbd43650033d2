package io.flinkwatch.job.detection.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.Topology;
import io.flinkwatch.ingest.snapshot.Topology.Vertex;
import io.flinkwatch.job.analytics.baseline.BaselineKind;
import io.flinkwatch.job.analytics.baseline.ThroughputBaseline;
import io.flinkwatch.job.analytics.flow.TaskFlowView;
import io.flinkwatch.job.analytics.flow.TaskFlowView.Subtask;
import io.flinkwatch.job.analytics.flow.TaskFlowView.VertexThroughput;
import io.flinkwatch.job.detection.RuleOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The task-flow rules on hand-made views of a Source → Map → Sink job with parallelism 2. */
class TaskFlowRulesTest {

    private static final Topology CHAIN =
            new Topology(
                    List.of(
                            new Vertex("s", "Source: orders", 2, List.of()),
                            new Vertex("m", "Map: enrich", 2, List.of("s")),
                            new Vertex("k", "Sink: warehouse", 2, List.of("m"))));

    @Nested
    class Backpressure {
        private final HighBackpressure rule =
                new HighBackpressure(900, 100, Duration.ofMinutes(10));

        @Test
        void aSaturatedSinkFiresPerSubtaskAndNamesItselfTheBottleneck() {
            TaskFlowView view =
                    view(
                            subtasks("s", "Source: orders", 50, 900, 0, 1000),
                            subtasks("m", "Map: enrich", 60, 880, 1000, 1000),
                            subtasks("k", "Sink: warehouse", 990, 0, 1000, 0));

            List<RuleOutcome> holding = evaluate(rule::evaluate, view);

            assertThat(holding).hasSize(2);
            assertThat(holding.get(0).labels())
                    .containsEntry("task_name", "Sink: warehouse")
                    .containsEntry("subtask_index", "0")
                    .containsEntry("severity", "warning");
            assertThat(holding.get(0).evidence().facts())
                    .containsEntry("bottleneck", "Sink: warehouse")
                    .containsEntry("backpressuredUpstream", "Source: orders, Map: enrich")
                    .containsEntry("isBottleneck", "yes");
        }

        @Test
        void busyAtOrBelowTheThresholdDoesNotHold() {
            TaskFlowView view = view(subtasks("k", "Sink: warehouse", 900, 0, 1000, 0));
            assertThat(evaluate(rule::evaluate, view)).isEmpty();
        }
    }

    @Nested
    class Stalled {
        private final SubtaskStalled rule = new SubtaskStalled(0.1, 1, Duration.ofMinutes(5));

        @Test
        void oneSilentSubtaskAmongHealthyPeersHolds() {
            TaskFlowView view =
                    view(
                            List.of(
                                    subtask("m", "Map: enrich", 0, 1000, 0, false),
                                    subtask("m", "Map: enrich", 1, 1000, 1000, false),
                                    subtask("m", "Map: enrich", 2, 1000, 980, false)));

            List<RuleOutcome> holding = evaluate(rule::evaluate, view);

            assertThat(holding).hasSize(1);
            assertThat(holding.get(0).labels()).containsEntry("subtask_index", "0");
            assertThat(holding.get(0).evidence().values())
                    .containsEntry("peersMedianRecordsPerSecond", 990.0);
        }

        @Test
        void aWholeVertexAtZeroIsNotOneStalledSubtask() {
            TaskFlowView view =
                    view(
                            List.of(
                                    subtask("m", "Map: enrich", 0, 0, 0, false),
                                    subtask("m", "Map: enrich", 1, 0, 0, false)));
            assertThat(evaluate(rule::evaluate, view)).isEmpty();
        }

        @Test
        void aSubtaskWarmingUpAfterARestartIsNotStalled() {
            TaskFlowView view =
                    view(
                            List.of(
                                    subtask("m", "Map: enrich", 0, 0, 0, true),
                                    subtask("m", "Map: enrich", 1, 1000, 1000, false)));
            assertThat(evaluate(rule::evaluate, view)).isEmpty();
        }

        @Test
        void sinksAreJudgedByRecordsIn() {
            TaskFlowView view =
                    view(
                            List.of(
                                    subtask("k", "Sink: warehouse", 0, 0, 0, false),
                                    subtask("k", "Sink: warehouse", 1, 1000, 0, false)));
            assertThat(evaluate(rule::evaluate, view))
                    .extracting(o -> o.labels().get("subtask_index"))
                    .containsExactly("0");
        }
    }

    @Nested
    class Throughput {
        private final ThroughputDrop rule =
                new ThroughputDrop(0.5, 1, true, Duration.ofMinutes(15));

        @Test
        void belowHalfTheBaselineHolds() {
            List<RuleOutcome> holding =
                    evaluate(rule::evaluate, throughput("s", true, 400, 1000, false));

            assertThat(holding).hasSize(1);
            assertThat(holding.get(0).labels())
                    .containsEntry("task_name", "Source: orders")
                    .doesNotContainKey("subtask_index");
            assertThat(holding.get(0).evidence().values()).containsEntry("ratioToBaseline", 0.4);
            assertThat(holding.get(0).evidence().facts())
                    .containsEntry("metric", "numRecordsOutPerSecond");
        }

        @Test
        void noVerdictAboveTheRatioWithoutHistoryOrWhileWarmingUp() {
            assertThat(evaluate(rule::evaluate, throughput("s", true, 600, 1000, false))).isEmpty();
            assertThat(evaluate(rule::evaluate, throughput("s", true, 0, Double.NaN, false)))
                    .isEmpty();
            assertThat(evaluate(rule::evaluate, throughput("s", true, 0, 1000, true))).isEmpty();
        }

        @Test
        void tinyBaselinesAndNonSourcesAreNotJudged() {
            assertThat(evaluate(rule::evaluate, throughput("s", true, 0, 0.5, false))).isEmpty();
            assertThat(evaluate(rule::evaluate, throughput("m", false, 0, 1000, false))).isEmpty();
        }
    }

    interface Evaluation {
        void evaluate(TaskFlowView view, long time, List<RuleOutcome> holding);
    }

    static List<RuleOutcome> evaluate(Evaluation evaluation, TaskFlowView view) {
        List<RuleOutcome> holding = new ArrayList<>();
        evaluation.evaluate(view, 0, holding);
        return holding;
    }

    static List<Subtask> subtasks(
            String id, String name, double busy, double backPressured, double in, double out) {
        return List.of(
                new Subtask(id, name, 0, busy, backPressured, in, out, false),
                new Subtask(id, name, 1, busy, backPressured, in, out, false));
    }

    static Subtask subtask(
            String id, String name, int index, double in, double out, boolean warmingUp) {
        return new Subtask(id, name, index, 100, 0, in, out, warmingUp);
    }

    @SafeVarargs
    static TaskFlowView view(List<Subtask>... vertices) {
        Map<String, List<Subtask>> byVertex = new LinkedHashMap<>();
        Map<String, VertexThroughput> throughput = new LinkedHashMap<>();
        for (List<Subtask> vertex : vertices) {
            String id = vertex.get(0).vertexId();
            byVertex.put(id, vertex);
            throughput.put(
                    id,
                    new VertexThroughput(
                            id,
                            vertex.get(0).vertexName(),
                            id.equals("s"),
                            id.equals("k"),
                            0,
                            null,
                            false));
        }
        return new TaskFlowView("prod", "orders", "job-1", CHAIN, byVertex, throughput);
    }

    static TaskFlowView throughput(
            String id, boolean source, double rate, double baseline, boolean warmingUp) {
        ThroughputBaseline.Estimate expected =
                Double.isNaN(baseline)
                        ? null
                        : new ThroughputBaseline.Estimate(baseline, BaselineKind.FLAT, 24);
        String name = id.equals("s") ? "Source: orders" : "Map: enrich";
        return new TaskFlowView(
                "prod",
                "orders",
                "job-1",
                CHAIN,
                Map.of(),
                Map.of(
                        id,
                        new VertexThroughput(id, name, source, false, rate, expected, warmingUp)));
    }
}

package io.flinkwatch.job.analytics.flow;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.EvaluationGrid;
import io.flinkwatch.job.analytics.JobAnalytics;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.baseline.BaselineMode;
import io.flinkwatch.job.analytics.baseline.ThroughputBaseline;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.rules.ThroughputDrop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The task-flow family in the analytics operator: a source vertex with two subtasks at 1000
 * records/s each, a 1-hour minimum history, a 2-minute restart grace.
 */
class TaskFlowFamilyTest {

    private static final EvaluationGrid GRID = new EvaluationGrid(seconds(15), seconds(300));
    private static final Duration RETENTION = Duration.ofDays(1);

    @Test
    void aRestartWithMetersRampingUpIsNoThroughputDrop() throws Exception {
        try (var harness = harness()) {
            feed(harness, 0, 7200, "job-1", 0, t -> 1000);
            // Down for 2 minutes (no task metrics), then back with new attempts; Flink's one-minute
            // meters ramp up from 0.
            feed(harness, 7320, 9000, "job-1", 1, t -> Math.min(1000, 1000 * (t - 7320) / 60.0));
            harness.processWatermark(seconds(9000));

            assertThat(raises(harness)).isEmpty();
        }
    }

    @Test
    void aDailyCycleRaisesNoDropFromTheSecondDayWithTheSeasonalBaselineButDoesWithFlat()
            throws Exception {
        // Three days, a sample a minute: 1000/s from 08:00 to 20:00, 200/s at night.
        Rate daily =
                t -> {
                    long hour = t % 86_400 / 3600;
                    return hour >= 8 && hour < 20 ? 1000 : 200;
                };
        List<ConditionEvaluation> seasonal;
        try (var harness = harness(settings(BaselineMode.SEASONAL))) {
            feed(harness, 0, 3 * 86_400, "job-1", 0, "Source: orders", 60, daily);
            seasonal = raises(harness);
        }
        List<ConditionEvaluation> flat;
        try (var harness = harness(settings(BaselineMode.FLAT))) {
            feed(harness, 0, 3 * 86_400, "job-1", 0, "Source: orders", 60, daily);
            flat = raises(harness);
        }
        // Day one is judged flat (min-history 1h here) in both modes; from day two, the seasonal
        // baseline is the same hour of the day, and the night is no drop.
        assertThat(seasonal).noneMatch(e -> e.timestamp() >= seconds(86_400));
        assertThat(flat)
                .filteredOn(e -> e.timestamp() >= seconds(86_400))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(seasonal).isNotEmpty().allMatch(e -> e.timestamp() < seconds(86_400));
    }

    @Test
    void aRealDropFiresAndTheBaselineOutlivesAResubmission() throws Exception {
        try (var harness = harness()) {
            feed(harness, 0, 7200, "job-1", 0, t -> 1000);
            // Resubmitted under a new job id at 7200 s: the baseline is kept by vertex name, so
            // the new job's drop to 300/s is judged against it after the grace.
            feed(harness, 7210, 9000, "job-2", 0, t -> 300);
            harness.processWatermark(seconds(9000));

            List<ConditionEvaluation> raises = raises(harness);
            assertThat(raises).hasSize(1);
            // Grace: attempts first seen at 7210 s are judged from 7330 s on: the first grid
            // instant is 7335 s.
            assertThat(raises.get(0).timestamp()).isEqualTo(seconds(7335));
            assertThat(raises.get(0).jobId()).isEqualTo("job-2");
        }
    }

    @Test
    void theBaselineOfARenamedVertexGoesAfterTheRetentionWhileTheJobLivesOn() throws Exception {
        try (var harness = harness()) {
            feed(harness, 0, 7200, "job-1", 0, "Source: orders", 60, t -> 1000);
            assertThat(baselines(harness)).containsOnlyKeys("Source: orders");

            // Renamed at 2 h; the job lives on for more than the retention (1 day) after that.
            long renamed = 7260;
            feed(
                    harness,
                    renamed,
                    renamed + 86_400,
                    "job-1",
                    0,
                    "Source: orders v2",
                    60,
                    t -> 1000);
            assertThat(baselines(harness)).containsOnlyKeys("Source: orders", "Source: orders v2");
            feed(
                    harness,
                    renamed + 86_460,
                    renamed + 90_000,
                    "job-1",
                    0,
                    "Source: orders v2",
                    60,
                    t -> 1000);
            assertThat(baselines(harness)).containsOnlyKeys("Source: orders v2");
        }
    }

    @Test
    void aJobGoneForTheRetentionLeavesNoState() throws Exception {
        try (var harness = harness()) {
            feed(harness, 0, 7200, "job-1", 0, "Source: orders", 60, t -> 1000);
            harness.processWatermark(seconds(7200 + 3600));
            // Stale series are gone; the baseline waits for the job's return.
            assertThat(baselines(harness)).containsOnlyKeys("Source: orders");

            harness.processWatermark(seconds(7200) + RETENTION.toMillis() + seconds(3600));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aJobThatGoesStaleAHundredTimesKeepsOneRetentionTimer() throws Exception {
        try (var harness = harness()) {
            long start = 0;
            for (int episode = 0; episode < 100; episode++) {
                // Ten minutes of metrics, then an hour away: its series go stale and are forgotten,
                // its baseline waits out the retention (a day) for its return.
                feed(harness, start, start + 600, "job-1", 0, t -> 1000);
                harness.processWatermark(seconds(start + 600 + 3600));
                start += 600 + 3600 + 60;
            }
            assertThat(baselines(harness)).containsOnlyKeys("Source: orders");
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            harness.processWatermark(seconds(start) + RETENTION.toMillis());
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void allFamiliesShareTheOperatorWithoutStateClashes() throws Exception {
        var catalog =
                io.flinkwatch.job.detection.AlertCatalog.from(
                        io.flinkwatch.job.config.FlinkwatchConfig.defaults());
        var families =
                List.<io.flinkwatch.job.analytics.MetricFamily>of(
                        new io.flinkwatch.job.analytics.job.JobHealthFamily(
                                catalog.jobHealthRules(), GRID.stalenessMs(), seconds(120)),
                        new TaskFlowFamily(
                                catalog.taskFlowRules(),
                                GRID.stalenessMs(),
                                GRID.intervalMs(),
                                seconds(120),
                                settings()),
                        new io.flinkwatch.job.analytics.operator.OperatorFamily(
                                catalog.operatorRules(), GRID.stalenessMs()));
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new JobAnalytics(GRID, families)),
                        JobKeys::of,
                        Types.STRING)) {
            harness.open();
            for (MetricSnapshot snapshot :
                    List.of(
                            Snapshots.job("orders")
                                    .at(0)
                                    .status("RUNNING")
                                    .metric("uptime", 1000)
                                    .metric("lastCheckpointDuration", 1000)
                                    .build(),
                            Snapshots.job("orders")
                                    .at(0)
                                    .task("Map", 0, 0)
                                    .metric("busyTimeMsPerSecond", 500)
                                    .metric("checkpointAlignmentTime", 5e6)
                                    .build(),
                            Snapshots.job("orders")
                                    .at(0)
                                    .operator("Source", 0, 0, "Source")
                                    .metric("records-lag-max", 5)
                                    .build())) {
                harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
            }
            harness.processWatermark(seconds(600));
            // Three families, each with its own state, all cleaned up once the job went stale.
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    private static TaskFlowFamily.BaselineSettings settings() {
        return settings(BaselineMode.FLAT);
    }

    private static TaskFlowFamily.BaselineSettings settings(BaselineMode mode) {
        return new TaskFlowFamily.BaselineSettings(
                mode,
                Duration.ofDays(7).toMillis(),
                Duration.ofHours(1).toMillis(),
                1,
                true,
                RETENTION.toMillis());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            harness() throws Exception {
        return harness(settings());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            harness(TaskFlowFamily.BaselineSettings settings) throws Exception {
        TaskFlowFamily family =
                new TaskFlowFamily(
                        List.of(new ThroughputDrop(0.5, 1, true, Duration.ofMinutes(15))),
                        GRID.stalenessMs(),
                        GRID.intervalMs(),
                        seconds(120),
                        settings);
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new JobAnalytics(GRID, List.of(family))),
                        JobKeys::of,
                        Types.STRING);
        harness.open();
        return harness;
    }

    interface Rate {
        double at(long second);
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness,
            long from,
            long to,
            String jobId,
            int attempt,
            Rate rate)
            throws Exception {
        feed(harness, from, to, jobId, attempt, "Source: orders", 10, rate);
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness,
            long from,
            long to,
            String jobId,
            int attempt,
            String vertex,
            long step,
            Rate rate)
            throws Exception {
        for (long t = from; t <= to; t += step) {
            for (int subtask = 0; subtask < 2; subtask++) {
                MetricSnapshot snapshot =
                        Snapshots.job("orders")
                                .jobId(jobId)
                                .at(seconds(t))
                                .task(vertex, subtask, attempt)
                                .metric("numRecordsInPerSecond", 0)
                                .metric("numRecordsOutPerSecond", rate.at(t))
                                .build();
                harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
            }
            harness.processWatermark(seconds(t) - 1);
        }
    }

    /** The baselines kept for job "orders", by vertex name. */
    private static java.util.Map<String, ThroughputBaseline> baselines(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness)
            throws Exception {
        var backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(JobKeys.of(Snapshots.CLUSTER, "orders"));
        MapState<String, ThroughputBaseline> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new MapStateDescriptor<>(
                                "throughput-baselines",
                                Types.STRING,
                                TypeInformation.of(ThroughputBaseline.class)));
        java.util.Map<String, ThroughputBaseline> baselines = new java.util.TreeMap<>();
        for (var entry : state.entries()) {
            baselines.put(entry.getKey(), entry.getValue());
        }
        return baselines;
    }

    private static List<ConditionEvaluation> raises(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness) {
        List<ConditionEvaluation> raises = new ArrayList<>();
        var output = harness.getSideOutput(JobAnalytics.EVALUATIONS);
        if (output != null) {
            for (StreamRecord<ConditionEvaluation> record : output) {
                if (record.getValue().kind() == ConditionEvaluation.Kind.RAISED) {
                    raises.add(record.getValue());
                }
            }
        }
        return raises;
    }
}

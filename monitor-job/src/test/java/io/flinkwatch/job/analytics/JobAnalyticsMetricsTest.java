package io.flinkwatch.job.analytics;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthFamily;
import io.flinkwatch.job.analytics.operator.OperatorFamily;
import io.flinkwatch.job.detection.rules.JobNotRunning;
import io.flinkwatch.job.lifecycle.AlertSignal;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import io.flinkwatch.job.metrics.RecordingMetricGroup;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The analytics' gauges over keyed state: watched jobs and series move as keys and series come and
 * go, and are recounted from the restored state (15 s grid, 60 s staleness).
 */
class JobAnalyticsMetricsTest {

    private static final EvaluationGrid GRID = new EvaluationGrid(seconds(15), seconds(60));

    @Test
    void watchedJobsAndSeriesAreCountedAndRecountedAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        RecordingMetricGroup before = new RecordingMetricGroup();
        try (var harness = harness(before, null)) {
            // orders: one run's job metrics (1 series) and an operator on two subtasks (2 series);
            // billing: job metrics only (1 series).
            send(
                    harness,
                    job("orders", 0),
                    job("orders", 10),
                    operator("orders", 0, 0),
                    operator("orders", 1, 0),
                    operator("orders", 1, 10),
                    job("billing", 0));
            assertCounts(before, 2, 4);
            snapshot = harness.snapshot(1, 1);
        }

        RecordingMetricGroup after = new RecordingMetricGroup();
        try (var restored = harness(after, snapshot)) {
            // In memory the counts would start at zero; they are recounted from the state.
            assertCounts(after, 2, 4);

            // orders goes on; billing says nothing more. 60 s after its last sample (at the
            // evaluation of 75 s) billing is stale: its key and series go.
            send(restored, job("orders", 70));
            restored.processWatermark(seconds(75));
            // orders' operator series are older than the staleness too: evicted.
            assertCounts(after, 1, 1);

            restored.processWatermark(seconds(300));
            assertCounts(after, 0, 0);
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    private static void assertCounts(RecordingMetricGroup metrics, long jobs, long series) {
        assertThat(
                        new Object[] {
                            metrics.value(FlinkwatchMetrics.WATCHED_JOBS),
                            metrics.value(FlinkwatchMetrics.WATCHED_SERIES)
                        })
                .as("watched jobs, series")
                .containsExactly(jobs, series);
    }

    private static MetricSnapshot job(String name, long second) {
        return Snapshots.job(name)
                .at(seconds(second))
                .status("RUNNING")
                .metric("uptime", seconds(3600 + second))
                .build();
    }

    private static MetricSnapshot operator(String name, int subtask, long second) {
        return Snapshots.job(name)
                .at(seconds(second))
                .operator("source", subtask, 0, "kafka-source")
                .metric("records-lag-max", 10)
                .build();
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal> harness,
            MetricSnapshot... snapshots)
            throws Exception {
        for (MetricSnapshot snapshot : snapshots) {
            harness.processElement(new StreamRecord<>(snapshot, snapshot.timestamp()));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSnapshot, AlertSignal>
            harness(RecordingMetricGroup metrics, OperatorSubtaskState restored) throws Exception {
        JobHealthFamily jobHealth =
                new JobHealthFamily(
                        List.of(new JobNotRunning(Duration.ofMinutes(2))),
                        GRID.stalenessMs(),
                        seconds(120));
        OperatorFamily operators = new OperatorFamily(List.of(), GRID.stalenessMs());
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedStateMetricsOperator<>(
                                new JobAnalytics(GRID, List.of(jobHealth, operators))),
                        JobKeys::of,
                        Types.STRING,
                        metrics.environment());
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }
}

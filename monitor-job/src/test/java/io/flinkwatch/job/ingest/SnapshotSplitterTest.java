package io.flinkwatch.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.operator.OperatorFamily;
import io.flinkwatch.job.detection.rules.LagGrowing;
import io.flinkwatch.job.detection.rules.TrendCriterion;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class SnapshotSplitterTest {

    @Test
    void externalSnapshotsFeedTheRulesButAreNoSignOfLife() throws Exception {
        SnapshotSplitter splitter = lagSplitter();
        try (OneInputStreamOperatorTestHarness<MetricSnapshot, JobHeartbeat> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(splitter)) {
            MetricSnapshot reported =
                    Snapshots.job("orders")
                            .operator("Source: orders", 0, 0, "Source: orders")
                            .metric("records-lag-max", 5)
                            .at(1_000)
                            .build();
            MetricSnapshot polled =
                    external(
                            Snapshots.job("orders")
                                    .operator("Kafka consumer group g", 0, -1, "orders")
                                    .metric("records-lag-max", 7)
                                    .at(2_000)
                                    .build());

            harness.processElement(new StreamRecord<>(reported, 1_000));
            harness.processElement(new StreamRecord<>(polled, 2_000));

            // Only the reported snapshot says the job (and its reporting) is alive.
            assertThat(harness.extractOutputValues())
                    .extracting(JobHeartbeat::timestamp)
                    .containsExactly(1_000L);
            assertThat(harness.getSideOutput(SnapshotSplitter.ANALYTICS))
                    .extracting(StreamRecord::getValue)
                    .extracting(
                            MetricSnapshot::external,
                            snapshot -> snapshot.metrics().get("records-lag-max"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(false, 5.0),
                            org.assertj.core.groups.Tuple.tuple(true, 7.0));
        }
    }

    @Test
    void heartbeatsAreOnePerJobAndInstantAndOnlyMetricsSomeRuleReadsTravel() throws Exception {
        SnapshotSplitter splitter = lagSplitter();
        try (OneInputStreamOperatorTestHarness<MetricSnapshot, JobHeartbeat> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(splitter)) {
            MetricSnapshot lagOnly =
                    Snapshots.job("orders")
                            .operator("Source: orders", 0, 0, "Source: orders")
                            .metric("records-lag-max", 5)
                            .at(1_000)
                            .build();
            harness.processElement(new StreamRecord<>(lagOnly, 1_000));
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("orders")
                                    .operator("Source: orders", 1, 0, "Source: orders")
                                    .metric("records-lag-max", 6)
                                    .metric("numRecordsIn", 100)
                                    .at(1_000)
                                    .build(),
                            1_000));
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("payments").task("Sink", 0, 0).at(1_000).build(), 1_000));
            // Back to the first job, at the same instant, then at an earlier one.
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("orders").task("Sink", 0, 0).at(1_000).build(), 1_000));
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("orders").task("Sink", 1, 0).at(500).build(), 500));
            // A status is always news.
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("orders").status("RUNNING").at(1_000).build(), 1_000));
            harness.processElement(
                    new StreamRecord<>(
                            Snapshots.job("orders").task("Sink", 0, 0).at(16_000).build(), 16_000));

            assertThat(harness.extractOutputValues())
                    .extracting(JobHeartbeat::jobName, JobHeartbeat::timestamp)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("orders", 1_000L),
                            org.assertj.core.groups.Tuple.tuple("payments", 1_000L),
                            org.assertj.core.groups.Tuple.tuple("orders", 1_000L),
                            org.assertj.core.groups.Tuple.tuple("orders", 16_000L));
            List<MetricSnapshot> analytics =
                    harness.getSideOutput(SnapshotSplitter.ANALYTICS).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            // A snapshot whose every metric is read travels as it is.
            assertThat(analytics.get(0)).isSameAs(lagOnly);
            assertThat(analytics.get(1).metrics()).containsOnlyKeys("records-lag-max");
        }
    }

    /** A splitter for the one family of FlinkLagGrowing, which reads records-lag-max. */
    private static SnapshotSplitter lagSplitter() {
        return new SnapshotSplitter(
                List.of(
                        new OperatorFamily(
                                List.of(
                                        new LagGrowing(
                                                Duration.ofMinutes(5),
                                                0,
                                                Duration.ofMinutes(5),
                                                TrendCriterion.DEFAULT,
                                                Duration.ofSeconds(1))),
                                300_000)));
    }

    private static MetricSnapshot external(MetricSnapshot snapshot) {
        return new MetricSnapshot(
                snapshot.timestamp(),
                snapshot.cluster(),
                snapshot.job(),
                snapshot.scope(),
                snapshot.metrics(),
                null,
                true);
    }
}

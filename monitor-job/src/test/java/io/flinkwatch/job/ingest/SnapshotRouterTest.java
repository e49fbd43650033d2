package io.flinkwatch.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.RecordingMetricGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class SnapshotRouterTest {

    @Test
    void deadLettersGoToTheSideOutputAndAreCounted() throws Exception {
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SnapshotRouter(Duration.ofMinutes(2), Duration.ofMinutes(1)))) {
            DeadLetter letter =
                    DeadLetter.of(
                            RejectionReason.INVALID_FIELD,
                            "metrics.x must be a number",
                            "m",
                            0,
                            7,
                            0,
                            new byte[] {1});
            harness.processElement(
                    new StreamRecord<>(
                            IngestedRecord.rejected(letter, Long.MIN_VALUE), Long.MIN_VALUE));

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(SnapshotRouter.DEAD_LETTERS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(letter);
        }
    }

    @Test
    void acceptedSnapshotsAndDeadLettersByReasonAreCounted() throws Exception {
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new SnapshotRouter(Duration.ofMinutes(2), Duration.ofMinutes(1))),
                        metrics.environment())) {
            harness.open();
            RejectionReason[] rejected = {
                RejectionReason.INVALID_FIELD,
                RejectionReason.MALFORMED_JSON,
                RejectionReason.INVALID_FIELD
            };
            for (RejectionReason reason : rejected) {
                DeadLetter letter = DeadLetter.of(reason, "bad", "m", 0, 7, 0, new byte[] {1});
                harness.processElement(
                        new StreamRecord<>(
                                IngestedRecord.rejected(letter, Long.MIN_VALUE), Long.MIN_VALUE));
            }
            for (int i = 0; i < 4; i++) {
                MetricSnapshot snapshot = Snapshots.job("a").at(1000 + i).build();
                harness.processElement(
                        new StreamRecord<>(accepted(snapshot, new byte[0]), snapshot.timestamp()));
            }

            assertThat(metrics.count(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED)).isEqualTo(4);
            assertThat(metrics.count(FlinkwatchMetrics.DEAD_LETTERS)).isEqualTo(3);
            assertThat(metrics.hasMeter(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED_RATE)).isTrue();
            assertThat(metrics.hasMeter(FlinkwatchMetrics.DEAD_LETTERS_RATE)).isTrue();
            for (RejectionReason reason : RejectionReason.values()) {
                long expected =
                        switch (reason) {
                            case INVALID_FIELD -> 2;
                            case MALFORMED_JSON -> 1;
                            default -> 0;
                        };
                assertThat(
                                metrics.count(
                                        FlinkwatchMetrics.REASON
                                                + "."
                                                + reason.name()
                                                + "."
                                                + FlinkwatchMetrics.DEAD_LETTERS))
                        .as("dead letters %s", reason)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aSnapshotBehindTheWatermarkIsNotLateItsJobJustAppearedThere() throws Exception {
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SnapshotRouter(Duration.ofMinutes(2), Duration.ofMinutes(1)))) {
            MetricSnapshot ahead = Snapshots.job("a").at(2000).build();
            MetricSnapshot newcomer = Snapshots.job("b").at(1000).build();

            harness.processWatermark(1500);
            harness.processElement(new StreamRecord<>(accepted(ahead, new byte[0]), 2000));
            harness.processElement(new StreamRecord<>(accepted(newcomer, new byte[0]), 1000));

            assertThat(harness.extractOutputValues()).containsExactly(ahead, newcomer);
            assertThat(harness.getSideOutput(SnapshotRouter.DEAD_LETTERS)).isNull();
        }
    }

    @Test
    void aSkewedClockIsDeadLetteredAndReportedForItsAlert() throws Exception {
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SnapshotRouter(Duration.ofMinutes(2), Duration.ofMinutes(1)))) {
            MetricSnapshot snapshot = Snapshots.job("b").at(1_200_000).build();
            byte[] raw = "{...}".getBytes(StandardCharsets.UTF_8);
            IngestedRecord.Origin origin = new IngestedRecord.Origin("m", 0, 3, 0, raw);
            DeadLetter letter = origin.reject(RejectionReason.CLOCK_SKEW, "20m ahead");
            IngestedRecord.ClockSkew skew =
                    new IngestedRecord.ClockSkew(
                            snapshot.cluster(), "b", "b-id", 1_200_000, 0, 1_200_000, false);

            harness.processElement(
                    new StreamRecord<>(
                            IngestedRecord.skewed(snapshot, origin, letter, skew, Long.MIN_VALUE),
                            Long.MIN_VALUE));

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(SnapshotRouter.DEAD_LETTERS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(letter);
            assertThat(harness.getSideOutput(SnapshotRouter.CLOCK_SKEWS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(skew);
        }
    }

    @Test
    void theRouterReportsHowFarItsWatermarkIsBehindTheWallClock() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        InterceptingTaskMetricGroup taskMetrics =
                new InterceptingTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(
                            OperatorID id, String name, Map<String, String> additionalVariables) {
                        return metrics;
                    }
                };
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new SnapshotRouter(Duration.ofMinutes(2), Duration.ofMinutes(1))),
                        new MockEnvironmentBuilder().setMetricGroup(taskMetrics).build())) {
            harness.open();
            @SuppressWarnings("unchecked")
            Gauge<Long> lag = (Gauge<Long>) metrics.get("eventTimeLagMs");
            assertThat(lag).as("gauge eventTimeLagMs").isNotNull();
            assertThat(lag.getValue()).as("before any record").isZero();

            long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
            harness.processWatermark(tenMinutesAgo);
            MetricSnapshot snapshot = Snapshots.job("a").at(tenMinutesAgo + 15_001).build();
            harness.processElement(
                    new StreamRecord<>(accepted(snapshot, new byte[0]), snapshot.timestamp()));

            // Ten minutes, plus the few milliseconds this test took.
            assertThat(lag.getValue())
                    .isBetween(
                            Duration.ofMinutes(10).toMillis(),
                            Duration.ofMinutes(10).toMillis() + 5_000);
        }
    }

    private static IngestedRecord accepted(MetricSnapshot snapshot, byte[] raw) {
        return IngestedRecord.accepted(
                snapshot, new IngestedRecord.Origin("m", 0, 3, 0, raw), Long.MIN_VALUE, true);
    }
}

package io.flinkwatch.job.detection;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.kafka.IngestedRecord.ClockSkew;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** FlinkwatchClockSkew with a clear-after of 2 minutes, live and in a replay. */
class ClockSkewDetectorTest {

    @Test
    void firesOnceAtTheFirstRejectedSnapshotNamingTheClusterAndTheOffset() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(seconds(0));
            for (int t = 0; t < 60; t += 15) {
                report(harness, seconds(t));
            }

            assertThat(harness.extractOutputValues()).hasSize(1);
            AlertSignal fire = harness.extractOutputValues().get(0);
            assertThat(fire.kind()).isEqualTo(AlertSignal.Kind.FIRE);
            assertThat(fire.rule()).isEqualTo("FlinkwatchClockSkew");
            assertThat(fire.immediate()).isTrue();
            assertThat(fire.timestamp()).isEqualTo(seconds(0));
            assertThat(fire.labels())
                    .containsEntry("cluster", "skewed")
                    .containsEntry("job_name", "orders")
                    .containsEntry("severity", "warning");
            assertThat(fire.evidence().values()).containsEntry("offsetMs", 1_200_000.0);
            assertThat(fire.evidence().facts())
                    .containsEntry("against", "the other jobs of its metrics partition");
        }
    }

    @Test
    void resolvesWhenNoSnapshotIsRejectedForTheClearAfterTimeOnTheWallClock() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(seconds(0));
            report(harness, seconds(0));
            harness.setProcessingTime(seconds(60));
            report(harness, seconds(60));

            harness.setProcessingTime(seconds(179));
            assertThat(harness.extractOutputValues()).hasSize(1);
            harness.setProcessingTime(seconds(180));

            assertThat(harness.extractOutputValues()).hasSize(2);
            AlertSignal resolve = harness.extractOutputValues().get(1);
            assertThat(resolve.kind()).isEqualTo(AlertSignal.Kind.RESOLVE);
            assertThat(resolve.timestamp()).isEqualTo(seconds(180));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aReplayResolvesOnEventTimeAloneAndDatesItTheSame() throws Exception {
        try (var harness = harness(false)) {
            report(harness, seconds(0));
            report(harness, seconds(60));
            harness.setProcessingTime(seconds(3600));
            assertThat(harness.numProcessingTimeTimers()).isZero();
            harness.processWatermark(seconds(179));
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(harness.extractOutputValues().get(0).immediate()).isFalse();

            harness.processWatermark(seconds(180));

            assertThat(harness.extractOutputValues())
                    .extracting(AlertSignal::kind, AlertSignal::timestamp)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(AlertSignal.Kind.FIRE, seconds(0)),
                            org.assertj.core.groups.Tuple.tuple(
                                    AlertSignal.Kind.RESOLVE, seconds(180)));
        }
    }

    private static void report(
            KeyedOneInputStreamOperatorTestHarness<String, ClockSkew, AlertSignal> harness,
            long reference)
            throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new ClockSkew(
                                "skewed",
                                "orders",
                                "id-1",
                                reference + 1_200_000,
                                reference,
                                1_200_000,
                                false)));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ClockSkew, AlertSignal> harness(
            boolean wallClock) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ClockSkewDetector(
                                        new io.flinkwatch.job.detection.rules.ClockSkew(
                                                Duration.ofMinutes(2)),
                                        wallClock)),
                        ClockSkewDetector::jobKey,
                        Types.STRING);
        harness.open();
        return harness;
    }
}

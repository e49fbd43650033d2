package io.flinkwatch.job.detection;

import static io.flinkwatch.job.detection.SilenceGateTest.SETTINGS;
import static io.flinkwatch.job.detection.SilenceGateTest.WINDOW;
import static io.flinkwatch.job.detection.SilenceGateTest.fire;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.ingest.JobOrigin;
import io.flinkwatch.job.lifecycle.AlertSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The gate's Flink glue: its state, its event-time and wall-clock timers. */
class SilenceGateFunctionTest {

    @Test
    void aLoneJobsAbsencePassesOneWindowLateInEventTime() throws Exception {
        try (var harness = harness()) {
            harness.processElement2(
                    new StreamRecord<>(new JobOrigin("prod", "orders", "metrics", 0), 1));
            harness.processElement2(
                    new StreamRecord<>(new JobOrigin("prod", "billing", "metrics", 1), 1));
            AlertSignal absent = fire("prod", "orders", 600_000, false);
            harness.processElement1(new StreamRecord<>(absent, 600_000));
            harness.processBothWatermarks(
                    new org.apache.flink.streaming.api.watermark.Watermark(600_000 + WINDOW - 1));
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processBothWatermarks(
                    new org.apache.flink.streaming.api.watermark.Watermark(600_000 + WINDOW));

            assertThat(harness.extractOutputValues()).containsExactly(absent);
        }
    }

    @Test
    void afterAGapInTheInputAJobWhoseSnapshotFollowsTheJumpPagesForNothing() throws Exception {
        try (var harness = harness()) {
            harness.processElement2(
                    new StreamRecord<>(new JobOrigin("prod", "orders", "metrics", 0), 1));
            harness.processElement2(
                    new StreamRecord<>(new JobOrigin("prod", "billing", "metrics", 1), 1));
            // Kafka was down for three minutes: event time jumps from 600 s to 780 s at once, past
            // the job's deadline (620 s), before its own first snapshot after the gap is read.
            harness.processBothWatermarks(
                    new org.apache.flink.streaming.api.watermark.Watermark(780_000));
            harness.processElement1(
                    new StreamRecord<>(fire("prod", "orders", 620_000, false), 620_000));
            harness.processBothWatermarks(
                    new org.apache.flink.streaming.api.watermark.Watermark(781_000));
            harness.processElement1(
                    new StreamRecord<>(
                            SilenceGateTest.resolve("prod", "orders", 782_000, false), 782_000));
            harness.processBothWatermarks(
                    new org.apache.flink.streaming.api.watermark.Watermark(900_000));

            // Neither the absence nor its end: the job never was silent beyond the gap.
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void jobsSilentTogetherByTheWallClockMakeOneInputAlert() throws Exception {
        try (var harness = harness()) {
            harness.setProcessingTime(1_000);
            for (int i = 0; i < 4; i++) {
                harness.processElement1(
                        new StreamRecord<>(fire("cluster-" + i, "job-" + i, 600_000, true)));
            }
            harness.setProcessingTime(1_000 + WINDOW);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertSignal::rule)
                    .containsExactly("FlinkwatchInputSilent");
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, AlertSignal, JobOrigin, AlertSignal>
            harness() throws Exception {
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new SilenceGateFunction(SETTINGS)),
                        signal -> SilenceGateFunction.FLEET,
                        origin -> SilenceGateFunction.FLEET,
                        Types.STRING);
        harness.open();
        return harness;
    }
}

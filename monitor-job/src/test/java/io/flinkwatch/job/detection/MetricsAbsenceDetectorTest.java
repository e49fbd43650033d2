package io.flinkwatch.job.detection;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.ingest.JobHeartbeat;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The absence detector with 2 minutes of allowed silence, on event time and on the wall clock. */
class MetricsAbsenceDetectorTest {

    @Test
    void firesWhenEventTimePassesTheDeadlineAndResolvesWhenSnapshotsReturn() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            beat(harness, "a", 0);
            beat(harness, "a", 10);
            harness.processWatermark(seconds(129));
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processWatermark(seconds(130));
            List<AlertSignal> signals = harness.extractOutputValues();
            assertThat(signals).hasSize(1);
            AlertSignal fire = signals.get(0);
            assertThat(fire.kind()).isEqualTo(AlertSignal.Kind.FIRE);
            assertThat(fire.timestamp()).isEqualTo(seconds(130));
            assertThat(fire.immediate()).isFalse();
            assertThat(fire.labels()).containsEntry("alertname", "FlinkMetricsAbsent").containsEntry("job_name", "a");
            assertThat(fire.evidence().facts()).containsEntry("detectedBy", "event time");

            beat(harness, "a", 200);
            AlertSignal resolve = harness.extractOutputValues().get(1);
            assertThat(resolve.kind()).isEqualTo(AlertSignal.Kind.RESOLVE);
            assertThat(resolve.timestamp()).isEqualTo(seconds(200));
            assertThat(resolve.evidence().values()).containsEntry("silentForMs", (double) seconds(190));
        }
    }

    @Test
    void aLoneSilentJobIsCaughtByTheWallClockWhileEventTimeStandsStill() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(1_000);
            beat(harness, "lonely", 0);
            harness.processWatermark(seconds(-15));

            harness.setProcessingTime(1_000 + seconds(119));
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.setProcessingTime(1_000 + seconds(120));

            AlertSignal fire = harness.extractOutputValues().get(0);
            assertThat(fire.immediate()).isTrue();
            assertThat(fire.timestamp()).isEqualTo(seconds(120));
            assertThat(fire.evidence().facts()).containsEntry("detectedBy", "wall clock");

            // Event time catches up later: no second alert.
            harness.processWatermark(seconds(500));
            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void replaysIgnoreTheWallClock() throws Exception {
        try (var harness = harness(false)) {
            harness.setProcessingTime(0);
            beat(harness, "a", 0);
            harness.setProcessingTime(seconds(3600));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aJobCancelledOnPurposeIsNotExpectedToSpeakAgain() throws Exception {
        try (var harness = harness(true)) {
            harness.processElement(
                    new StreamRecord<>(new JobHeartbeat("prod", "a", "id", seconds(0), "CANCELED"), seconds(0)));
            harness.processWatermark(seconds(1000));
            harness.setProcessingTime(seconds(1000));

            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void keepsOneTimerPerClockPerJob() throws Exception {
        try (var harness = harness(true)) {
            for (int t = 0; t < 100; t += 10) {
                beat(harness, "a", t);
            }
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        }
    }

    private static void beat(
            KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness, String job, long second)
            throws Exception {
        harness.processElement(new StreamRecord<>(new JobHeartbeat("prod", job, "id", seconds(second), null), seconds(second)));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness(boolean wallClock)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new MetricsAbsenceDetector(new MetricsAbsent(Duration.ofMinutes(2)), wallClock)),
                        MetricsAbsenceDetector::jobKey,
                        Types.STRING);
        harness.open();
        return harness;
    }
}

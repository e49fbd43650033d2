package io.flinkwatch.job.detection;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.ingest.JobHeartbeat;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The absence detector with 2 minutes of allowed silence and a retention of one hour, on event time
 * and on the wall clock.
 */
class MetricsAbsenceDetectorTest {

    private static final Duration RETENTION = Duration.ofHours(1);

    @Test
    void aRestartAfterALongDowntimeReadsTheBacklogBeforeCallingAnyoneSilent() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(true)) {
            harness.setProcessingTime(seconds(0));
            beat(harness, "publishing", 0);
            beat(harness, "falls-silent", 0);
            harness.processWatermark(seconds(0));
            snapshot = harness.snapshot(1, 1);
        }
        // Flinkwatch is down for 30 minutes; "publishing" goes on sending, "falls-silent" does not.
        try (var restored = unopened(true)) {
            restored.setProcessingTime(seconds(1800));
            restored.initializeState(snapshot);
            restored.open();
            // Overdue wall-clock timers fire now, before the backlog is read.
            restored.setProcessingTime(seconds(1801));
            assertThat(signals(restored)).isEmpty();

            for (int t = 10; t <= 1800; t += 10) {
                beat(restored, "publishing", t);
            }
            restored.processWatermark(seconds(1785));
            // Event time (carried by the backlog) finds the silent job, dated by its last snapshot.
            assertThat(signals(restored)).containsExactly("FIRE falls-silent 120");
        }
    }

    @Test
    void aLoneJobSilentDuringTheDowntimeIsCaughtOneDurationAfterTheRestart() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(true)) {
            harness.setProcessingTime(seconds(0));
            beat(harness, "lonely", 0);
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = unopened(true)) {
            restored.setProcessingTime(seconds(1800));
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(seconds(1801));
            assertThat(signals(restored)).isEmpty();

            restored.setProcessingTime(seconds(1800 + 119));
            assertThat(signals(restored)).isEmpty();
            restored.setProcessingTime(seconds(1800 + 120));
            assertThat(signals(restored)).containsExactly("FIRE lonely 120 wall");
        }
    }

    @Test
    void aJobSilentForTheRetentionIsRetiredAndForgotten() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            beat(harness, "gone", 0);
            beat(harness, "cancelled", 0, "CANCELED");
            for (int t = 0; t <= 3700; t += 10) {
                beat(harness, "alive", t);
            }
            harness.processWatermark(seconds(3700));

            assertThat(signals(harness))
                    .containsExactlyInAnyOrder(
                            "FIRE gone 120", "RETIRE gone 3600", "RETIRE cancelled 3600");
            AlertSignal retire = harness.extractOutputValues().get(2);
            assertThat(retire.evidence().facts()).containsKey(MetricsAbsenceDetector.RETIRED);
            // Only "alive" is left: its state and one timer per clock.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void aLoneJobIsRetiredByTheWallClock() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            beat(harness, "lonely", 0);
            harness.setProcessingTime(seconds(120));
            harness.setProcessingTime(seconds(3600));

            assertThat(signals(harness))
                    .containsExactly("FIRE lonely 120 wall", "RETIRE lonely 3600 wall");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

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
            assertThat(fire.labels())
                    .containsEntry("alertname", "FlinkMetricsAbsent")
                    .containsEntry("job_name", "a");
            assertThat(fire.evidence().facts()).containsEntry("detectedBy", "event time");

            beat(harness, "a", 200);
            AlertSignal resolve = harness.extractOutputValues().get(1);
            assertThat(resolve.kind()).isEqualTo(AlertSignal.Kind.RESOLVE);
            assertThat(resolve.timestamp()).isEqualTo(seconds(200));
            assertThat(resolve.evidence().values())
                    .containsEntry("silentForMs", (double) seconds(190));
        }
    }

    @Test
    void aNamesakeThatFallsSilentWhileItsTwinReportsIsAbsentByItsId() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            for (int t = 0; t <= 600; t += 10) {
                run(harness, "twin", t, null);
                if (t <= 100) {
                    // Fails at 100 s and is gone: its reporter sends nothing more.
                    run(harness, "failed", t, t == 100 ? "FAILED" : "RUNNING");
                }
                harness.processWatermark(seconds(t));
            }
            assertThat(harness.extractOutputValues())
                    .extracting(
                            s ->
                                    s.kind()
                                            + " "
                                            + s.labels().get("job_id")
                                            + " "
                                            + s.timestamp() / 1000)
                    .containsExactly("FIRE failed 220");
            AlertSignal fire = harness.extractOutputValues().get(0);
            assertThat(fire.jobId()).isEqualTo("failed");

            // It comes back (restarted under the same id).
            run(harness, "failed", 610, "RUNNING");
            assertThat(harness.extractOutputValues())
                    .extracting(
                            s ->
                                    s.kind()
                                            + " "
                                            + s.labels().get("job_id")
                                            + " "
                                            + s.timestamp() / 1000)
                    .containsExactly("FIRE failed 220", "RESOLVE failed 610");
        }
    }

    @Test
    void aResubmissionIsNoNamesakeFallingSilent() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            for (int t = 0; t <= 600; t += 10) {
                run(harness, t <= 300 ? "old" : "new", t, null);
                harness.processWatermark(seconds(t));
            }
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        }
    }

    private static void run(
            KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness,
            String jobId,
            long second,
            String status)
            throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new JobHeartbeat(
                                "prod", "Flink Streaming Job", jobId, seconds(second), status),
                        seconds(second)));
    }

    @Test
    void aStragglerFromBeforeTheSilenceIsNoReturn() throws Exception {
        try (var harness = harness(true)) {
            harness.setProcessingTime(0);
            beat(harness, "a", 0);
            beat(harness, "a", 10);
            harness.processWatermark(seconds(200));
            // A snapshot of 5 s arrives late: the job is still silent since 10 s.
            beat(harness, "a", 5);
            assertThat(signals(harness)).containsExactly("FIRE a 130");
            beat(harness, "a", 210);
            assertThat(signals(harness)).containsExactly("FIRE a 130", "RESOLVE a 210");
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
                    new StreamRecord<>(
                            new JobHeartbeat("prod", "a", "id", seconds(0), "CANCELED"),
                            seconds(0)));
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
            KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness,
            String job,
            long second)
            throws Exception {
        beat(harness, job, second, null);
    }

    private static void beat(
            KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness,
            String job,
            long second,
            String status)
            throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new JobHeartbeat("prod", job, "id", seconds(second), status),
                        seconds(second)));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal>
            harness(boolean wallClock) throws Exception {
        var harness = unopened(wallClock);
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal>
            unopened(boolean wallClock) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new MetricsAbsenceDetector(
                                new MetricsAbsent(Duration.ofMinutes(2)), RETENTION, wallClock)),
                MetricsAbsenceDetector::jobKey,
                Types.STRING);
    }

    private static List<String> signals(
            KeyedOneInputStreamOperatorTestHarness<String, JobHeartbeat, AlertSignal> harness) {
        return harness.extractOutputValues().stream()
                .map(
                        s ->
                                s.kind()
                                        + " "
                                        + s.labels().get("job_name")
                                        + " "
                                        + s.timestamp() / 1000
                                        + (s.immediate() ? " wall" : ""))
                .toList();
    }
}

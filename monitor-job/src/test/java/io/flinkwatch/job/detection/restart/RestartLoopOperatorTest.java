package io.flinkwatch.job.detection.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The restart-loop sequence pattern ("3 restarts within 30 minutes") on Flink's CEP operator
 * ({@link RestartLoopOperator}); times in minutes.
 */
class RestartLoopOperatorTest {

    static final JobRestartLoop RULE = new JobRestartLoop(3, Duration.ofMinutes(30));

    @Test
    void threeRestartsWithinTheWindowFireAtTheThirdWithTheirTimesAndCause() throws Exception {
        List<AlertSignal> fired =
                run(
                        restart("fp", 0, 1, null),
                        restart("fp", 10, -1, "java.io.IOException: broker down"),
                        restart("fp", 20, 2, null));

        assertThat(fired).hasSize(1);
        AlertSignal fire = fired.get(0);
        assertThat(fire.kind()).isEqualTo(AlertSignal.Kind.FIRE);
        assertThat(fire.rule()).isEqualTo("FlinkJobRestartLoop");
        assertThat(fire.timestamp()).isEqualTo(minutes(20));
        assertThat(fire.activeSince()).isEqualTo(0);
        assertThat(fire.evidence().facts())
                .containsEntry(
                        "restartTimes",
                        "1970-01-01T00:00:00Z, 1970-01-01T00:10:00Z, 1970-01-01T00:20:00Z")
                .containsEntry("lastFailureCause", "java.io.IOException: broker down");
        assertThat(fire.evidence().values())
                .containsEntry("restarts", 3.0)
                .containsEntry("spanMs", (double) minutes(20))
                .containsEntry("longestOutageMs", (double) minutes(2));
    }

    @Test
    void restartsFartherApartThanTheWindowNeverFire() throws Exception {
        // 0, 20 and 30: the first and the third are 30 minutes apart, not within them.
        assertThat(run(restart("fp", 0), restart("fp", 20), restart("fp", 30))).isEmpty();
        assertThat(run(restart("fp", 0), restart("fp", 40), restart("fp", 80))).isEmpty();
    }

    @Test
    void aWindowSlidesOverTheRestarts() throws Exception {
        // 0 falls out of the window; 20, 35 and 45 are within 30 minutes.
        assertThat(run(restart("fp", 0), restart("fp", 20), restart("fp", 35), restart("fp", 45)))
                .extracting(AlertSignal::timestamp, AlertSignal::activeSince)
                .containsExactly(tuple(minutes(45), minutes(20)));
    }

    @Test
    void aLoopThatGoesOnMatchesAgainOnlyWithAsManyNewRestarts() throws Exception {
        assertThat(
                        run(
                                restart("fp", 0),
                                restart("fp", 1),
                                restart("fp", 2),
                                restart("fp", 3),
                                restart("fp", 4),
                                restart("fp", 5),
                                restart("fp", 6)))
                .extracting(AlertSignal::timestamp)
                .containsExactly(minutes(2), minutes(5));
    }

    @Test
    void restartsOfTwoInstancesDoNotAddUp() throws Exception {
        assertThat(run(restart("a", 0), restart("b", 1), restart("a", 2), restart("b", 3)))
                .isEmpty();
    }

    @Test
    void restartsOfOneInstantAreSeveralRestarts() throws Exception {
        // The counter grew by 3 between two samples.
        assertThat(run(restart("fp", 5), restart("fp", 5), restart("fp", 5)))
                .extracting(AlertSignal::timestamp)
                .containsExactly(minutes(5));
    }

    @Test
    void aKeyHoldsNoStateOnceItsRestartsAreOlderThanTheWindow() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, restart("fp", 0), restart("fp", 10));
            harness.processWatermark(minutes(11));
            assertThat(harness.numKeyedStateEntries()).isPositive();

            harness.processWatermark(minutes(45));
            assertThat(harness.numKeyedStateEntries()).isZero();

            // And the next loop is counted from scratch.
            feed(harness, restart("fp", 50), restart("fp", 55), restart("fp", 60));
            harness.processWatermark(minutes(100));
            assertThat(harness.extractOutputValues())
                    .extracting(AlertSignal::timestamp)
                    .containsExactly(minutes(60));
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aPartialLoopSurvivesARestoreFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            feed(harness, restart("fp", 0), restart("fp", 10));
            harness.processWatermark(minutes(11));
            snapshot = harness.snapshot(1, minutes(12));
        }
        try (var harness = harness()) {
            harness.initializeState(snapshot);
            harness.open();
            feed(harness, restart("fp", 20));
            harness.processWatermark(minutes(21));
            assertThat(harness.extractOutputValues())
                    .extracting(AlertSignal::timestamp)
                    .containsExactly(minutes(20));
        }
    }

    static long minutes(long minutes) {
        return minutes * 60_000;
    }

    static JobRestart restart(String fingerprint, long minute) {
        return restart(fingerprint, minute, -1, null);
    }

    /** A restart at {@code minute} after an outage of {@code outageMinutes} (-1: unseen). */
    static JobRestart restart(
            String fingerprint, long minute, long outageMinutes, String failureCause) {
        return new JobRestart(
                fingerprint,
                Map.of("alertname", "FlinkJobRestartLoop", "job_name", fingerprint),
                "job-1",
                minutes(minute),
                outageMinutes < 0 ? RunRestarts.NOT_DOWN : minutes(minute - outageMinutes),
                failureCause);
    }

    private static List<AlertSignal> run(JobRestart... restarts) throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, restarts);
            harness.processWatermark(Long.MAX_VALUE);
            return harness.extractOutputValues();
        }
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, JobRestart, AlertSignal> harness,
            JobRestart... restarts)
            throws Exception {
        for (JobRestart restart : restarts) {
            harness.processElement(new StreamRecord<>(restart, restart.timestamp()));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobRestart, AlertSignal> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new RestartLoopOperator(
                        TypeInformation.of(JobRestart.class)
                                .createSerializer(new SerializerConfigImpl()),
                        RULE),
                JobRestart::fingerprint,
                Types.STRING);
    }
}

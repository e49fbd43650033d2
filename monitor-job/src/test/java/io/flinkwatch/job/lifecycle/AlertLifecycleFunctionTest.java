package io.flinkwatch.job.lifecycle;

import static io.flinkwatch.job.lifecycle.AlertBookTest.CATALOG;
import static io.flinkwatch.job.lifecycle.AlertBookTest.GROUPING;
import static io.flinkwatch.job.lifecycle.AlertBookTest.fire;
import static io.flinkwatch.job.lifecycle.AlertBookTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AlertLifecycleFunctionTest {

    @Test
    void signalsWaitForTheWatermarkAndAreAppliedInEventTimeOrder() throws Exception {
        try (var harness = harness(Long.MAX_VALUE)) {
            // The resolve (from the analytics path) arrives before the fire (from the CEP path).
            send(harness, resolve(300));
            send(harness, fire(120, "job-1"));
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processWatermark(300_000);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::status)
                    .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void wallClockSignalsApplyAtOnce() throws Exception {
        try (var harness = harness(Long.MAX_VALUE)) {
            AlertSignal fire = fire(120, "job-1");
            send(
                    harness,
                    new AlertSignal(
                            fire.kind(), fire.rule(), fire.fingerprint(), fire.timestamp(), fire.activeSince(),
                            fire.labels(), fire.jobId(), fire.evidence(), true));

            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void aReplayDropsWhatOnlyTheEndOfTheRecordingCaused() throws Exception {
        try (var harness = harness(200_000)) {
            send(harness, fire(120, "job-1"));
            send(harness, resolve(300));
            harness.processWatermark(Long.MAX_VALUE);

            assertThat(harness.extractOutputValues()).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING);
        }
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness, AlertSignal signal)
            throws Exception {
        harness.processElement(new StreamRecord<>(signal, signal.timestamp()));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(long endOfInput)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AlertLifecycleFunction(CATALOG, GROUPING, endOfInput)),
                        AlertSignal::jobName,
                        Types.STRING);
        harness.open();
        return harness;
    }
}

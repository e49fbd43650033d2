package io.flinkwatch.job.lifecycle;

import static io.flinkwatch.job.lifecycle.AlertBookTest.CATALOG;
import static io.flinkwatch.job.lifecycle.AlertBookTest.DEFAULTS;
import static io.flinkwatch.job.lifecycle.AlertBookTest.DOWN;
import static io.flinkwatch.job.lifecycle.AlertBookTest.FAILURES;
import static io.flinkwatch.job.lifecycle.AlertBookTest.GROUPING;
import static io.flinkwatch.job.lifecycle.AlertBookTest.PLAIN;
import static io.flinkwatch.job.lifecycle.AlertBookTest.fire;
import static io.flinkwatch.job.lifecycle.AlertBookTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
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
            send(harness, immediate(fire(120, "job-1")));

            assertThat(harness.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void aWallClockSignalFirstSettlesWhatWasDueBeforeIt() throws Exception {
        try (var harness = harness(DEFAULTS, Long.MAX_VALUE, null)) {
            // A job falls silent (the wall clock notices), speaks again from 200 s on ...
            send(harness, immediate(fire(120, "job-1")));
            send(harness, resolve(200));
            harness.processWatermark(200_000);
            // ... and falls silent again. The watermark still lags inside the resolve hold.
            send(harness, immediate(fire(900, "job-1")));

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::reason)
                    .containsExactly(
                            AlertReason.STARTED, AlertReason.RESOLVED, AlertReason.STARTED);
            assertThat(harness.extractOutputValues().get(1).endsAt()).isEqualTo(200_000);
            assertThat(harness.extractOutputValues().get(2).startsAt()).isEqualTo(900_000);

            // The timer of the hold fires later and finds nothing left to do.
            harness.processWatermark(1_000_000);
            assertThat(harness.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void aReplayDropsWhatOnlyTheEndOfTheRecordingCaused() throws Exception {
        try (var harness = harness(200_000)) {
            send(harness, fire(120, "job-1"));
            send(harness, resolve(300));
            harness.processWatermark(Long.MAX_VALUE);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::status)
                    .containsExactly(AlertStatus.FIRING);
        }
    }

    @Test
    void theResolveHoldAndRepeatsAreEventTimeTimers() throws Exception {
        try (var harness = harness(DEFAULTS, Long.MAX_VALUE, null)) {
            send(harness, fire(120, "job-1"));
            harness.processWatermark(120_000);
            send(harness, resolve(600));
            harness.processWatermark(600_000);
            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::reason)
                    .containsExactly(AlertReason.STARTED);

            // Five minutes of hold later, the alert resolves at the time it cleared.
            harness.processWatermark(900_000);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::reason)
                    .containsExactly(AlertReason.STARTED, AlertReason.RESOLVED);
            assertThat(harness.extractOutputValues().get(1).endsAt()).isEqualTo(600_000);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aRestoredOperatorKeepsOpenAlertsOpen() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(DEFAULTS, Long.MAX_VALUE, null)) {
            send(harness, fire(120, "job-1"));
            harness.processWatermark(120_000);
            assertThat(harness.extractOutputValues()).hasSize(1);
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = harness(DEFAULTS, Long.MAX_VALUE, snapshot)) {
            // The same condition, still sustained after the restart, does not fire again.
            send(restored, fire(135, "job-1"));
            send(restored, resolve(300));
            restored.processWatermark(1_000_000);

            assertThat(restored.extractOutputValues())
                    .extracting(AlertEvent::reason)
                    .containsExactly(AlertReason.RESOLVED);
            assertThat(restored.extractOutputValues().get(0).startsAt()).isEqualTo(120_000);
        }
    }

    @Test
    void aRuleDisabledAcrossARestartResolvesItsOpenAlertsSayingWhy() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(CATALOG, PLAIN, null)) {
            send(harness, fire(DOWN, "orders", 1));
            send(harness, fire(FAILURES, "orders", 1));
            send(harness, fire(FAILURES, "payments", 2));
            harness.processWatermark(180_000);
            assertThat(harness.extractOutputValues()).hasSize(3);
            snapshot = harness.snapshot(1, 1);
        }
        AlertCatalog withoutFailures =
                AlertCatalog.from(FlinkwatchConfig.fromMap(Map.of("rules.disabled", FAILURES)));
        try (var restored = harness(withoutFailures, PLAIN, snapshot)) {
            // Neither job sends anything for these alerts again: the first watermark resolves them.
            restored.processWatermark(240_000);

            assertThat(restored.extractOutputValues())
                    .extracting(AlertEvent::alertname, e -> e.label("job_name"), AlertEvent::reason)
                    .containsExactlyInAnyOrder(
                            tuple(FAILURES, "orders", AlertReason.RESOLVED),
                            tuple(FAILURES, "payments", AlertReason.RESOLVED));
            assertThat(restored.extractOutputValues())
                    .allSatisfy(
                            event ->
                                    assertThat(
                                                    event.evidence()
                                                            .facts()
                                                            .get(AlertBook.RESOLVED_BECAUSE))
                                            .contains("was disabled (--rules.disabled)"));
            // The other rule's alert is still open.
            assertThat(restored.numKeyedStateEntries()).isPositive();
            send(restored, resolve(DOWN, "orders", 10));
            restored.processWatermark(3_600_000);
            assertThat(restored.extractOutputValues())
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .contains(tuple(DOWN, AlertReason.RESOLVED));
        }
    }

    @Test
    void theSameJobNameOnTwoClustersIsTwoJobs() throws Exception {
        // A user's inhibition that names only job_name: it still works within one cluster's job.
        LifecyclePolicy byName =
                new LifecyclePolicy(
                        0,
                        0,
                        InhibitionRule.parseAll(
                                "FlinkJobNotRunning -> FlinkCheckpoint.* on job_name"),
                        GROUPING);
        try (var harness = harness(byName, Long.MAX_VALUE, null)) {
            send(harness, onCluster(fire(DOWN, "orders", 1), "prod-eu"));
            send(harness, onCluster(fire(FAILURES, "orders", 2), "prod-us"));
            harness.processWatermark(600_000);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::alertname, e -> e.label("cluster"), AlertEvent::reason)
                    .containsExactly(
                            tuple(DOWN, "prod-eu", AlertReason.STARTED),
                            tuple(FAILURES, "prod-us", AlertReason.STARTED));
        }
    }

    private static AlertSignal onCluster(AlertSignal signal, String cluster) {
        return AlertBookTest.withLabel(signal, "cluster", cluster, signal.jobId());
    }

    private static AlertSignal immediate(AlertSignal signal) {
        return new AlertSignal(
                signal.kind(),
                signal.rule(),
                signal.fingerprint(),
                signal.timestamp(),
                signal.activeSince(),
                signal.labels(),
                signal.jobId(),
                signal.evidence(),
                true);
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness,
            AlertSignal signal)
            throws Exception {
        harness.processElement(new StreamRecord<>(signal, signal.timestamp()));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(
            long endOfInput) throws Exception {
        return harness(PLAIN, endOfInput, null);
    }

    /** The function as the job runs it, restored state recounted. */
    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(
            AlertCatalog catalog, LifecyclePolicy policy, OperatorSubtaskState restored)
            throws Exception {
        return harness(catalog, policy, Long.MAX_VALUE, restored);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(
            AlertCatalog catalog,
            LifecyclePolicy policy,
            long endOfInput,
            OperatorSubtaskState restored)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedStateMetricsOperator<>(
                                new AlertLifecycleFunction(catalog, policy, endOfInput)),
                        AlertSignal::lifecycleKey,
                        Types.STRING);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(
            LifecyclePolicy policy, long endOfInput, OperatorSubtaskState restored)
            throws Exception {
        return harness(CATALOG, policy, endOfInput, restored);
    }
}

package io.flinkwatch.job.lifecycle;

import static io.flinkwatch.job.lifecycle.AlertBookTest.CATALOG;
import static io.flinkwatch.job.lifecycle.AlertBookTest.DEFAULTS;
import static io.flinkwatch.job.lifecycle.AlertBookTest.DOWN;
import static io.flinkwatch.job.lifecycle.AlertBookTest.FAILURES;
import static io.flinkwatch.job.lifecycle.AlertBookTest.fire;
import static io.flinkwatch.job.lifecycle.AlertBookTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import io.flinkwatch.job.metrics.RecordingMetricGroup;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle's own metrics: open alerts by name and state, events published, and that the gauges
 * over keyed state come back after a restore (the in-memory tally starts at zero there).
 */
class AlertLifecycleMetricsTest {

    @Test
    void openAlertsByNameAndStateSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        RecordingMetricGroup before = new RecordingMetricGroup();
        try (var harness = harness(before, null)) {
            // orders: checkpoints fail from minute 1, the job goes down at minute 2 and its
            // FlinkJobNotRunning suppresses the failures (the default inhibition); billing's
            // checkpoints fail too.
            send(harness, fire(FAILURES, "orders", 1));
            send(harness, fire(DOWN, "orders", 2));
            send(harness, fire(FAILURES, "billing", 2));
            harness.processWatermark(3 * 60_000);

            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .hasSize(4)
                    .contains(
                            org.assertj.core.groups.Tuple.tuple(FAILURES, AlertReason.SUPPRESSED));
            assertCounts(before, 1, 0, 1, 1);
            assertThat(before.count(FlinkwatchMetrics.ALERT_EVENTS)).isEqualTo(4);
            assertThat(before.hasMeter(FlinkwatchMetrics.ALERT_EVENTS_RATE)).isTrue();
            snapshot = harness.snapshot(1, 1);
        }

        RecordingMetricGroup after = new RecordingMetricGroup();
        try (var restored = harness(after, snapshot)) {
            // Recounted from the restored books before any signal arrives.
            assertCounts(after, 1, 0, 1, 1);
            assertThat(after.count(FlinkwatchMetrics.ALERT_EVENTS)).isZero();

            // orders is back at minute 4: after the 5 minutes of resolve hold its
            // FlinkJobNotRunning resolves and the failures are no longer suppressed.
            send(restored, resolve(DOWN, "orders", 4));
            restored.processWatermark(4 * 60_000);
            assertCounts(after, 1, 0, 1, 1);
            restored.processWatermark(10 * 60_000);

            assertCounts(after, 0, 0, 2, 0);
            assertThat(restored.extractOutputValues())
                    .extracting(AlertEvent::reason)
                    .containsExactly(AlertReason.RESOLVED, AlertReason.UNSUPPRESSED);
            assertThat(after.count(FlinkwatchMetrics.ALERT_EVENTS)).isEqualTo(2);
        }
    }

    @Test
    void anAlertIsFiringUntilItsResolvedEventAndThenNotCountedAtAll() throws Exception {
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        try (var harness = harness(metrics, null)) {
            send(harness, fire(DOWN, "orders", 1));
            send(harness, resolve(DOWN, "orders", 2));
            harness.processWatermark(2 * 60_000);
            // Cleared, in its resolve hold: consumers still see it firing.
            assertCounts(metrics, 1, 0, 0, 0);

            harness.processWatermark(7 * 60_000);
            assertCounts(metrics, 0, 0, 0, 0);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void everyEnabledAlertHasBothGaugesFromTheStart() throws Exception {
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        try (var harness = harness(metrics, null)) {
            for (var rule : CATALOG.rules()) {
                for (var state : FlinkwatchMetrics.OpenAlertState.values()) {
                    assertThat(metrics.value(path(rule.name(), state))).isEqualTo(0L);
                }
            }
            // And the operator's event-time lag, from its watermark.
            assertThat(metrics.value(FlinkwatchMetrics.EVENT_TIME_LAG)).isEqualTo(0L);
            harness.processWatermark(System.currentTimeMillis() - 60_000);
            assertThat((Long) metrics.value(FlinkwatchMetrics.EVENT_TIME_LAG))
                    .isBetween(60_000L, 70_000L);
        }
    }

    private static void assertCounts(
            RecordingMetricGroup metrics,
            long downFiring,
            long downSuppressed,
            long failuresFiring,
            long failuresSuppressed) {
        assertThat(
                        new long[] {
                            (Long) metrics.value(path(DOWN, FIRING)),
                            (Long) metrics.value(path(DOWN, SUPPRESSED)),
                            (Long) metrics.value(path(FAILURES, FIRING)),
                            (Long) metrics.value(path(FAILURES, SUPPRESSED))
                        })
                .as("open %s firing, suppressed; %s firing, suppressed", DOWN, FAILURES)
                .containsExactly(downFiring, downSuppressed, failuresFiring, failuresSuppressed);
    }

    private static final FlinkwatchMetrics.OpenAlertState FIRING =
            FlinkwatchMetrics.OpenAlertState.FIRING;
    private static final FlinkwatchMetrics.OpenAlertState SUPPRESSED =
            FlinkwatchMetrics.OpenAlertState.SUPPRESSED;

    private static String path(String alertname, FlinkwatchMetrics.OpenAlertState state) {
        return FlinkwatchMetrics.ALERTNAME
                + "."
                + alertname
                + "."
                + FlinkwatchMetrics.STATE
                + "."
                + state.label()
                + "."
                + FlinkwatchMetrics.OPEN_ALERTS;
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness,
            AlertSignal signal)
            throws Exception {
        harness.processElement(new StreamRecord<>(signal, signal.timestamp()));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertSignal, AlertEvent> harness(
            RecordingMetricGroup metrics, OperatorSubtaskState restored) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedStateMetricsOperator<>(
                                new AlertLifecycleFunction(CATALOG, DEFAULTS, Long.MAX_VALUE)),
                        AlertSignal::lifecycleKey,
                        Types.STRING,
                        metrics.environment());
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }
}

package io.flinkwatch.alerts.alertmanager;

import static io.flinkwatch.alerts.alertmanager.StubAlertmanager.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The forwarding operator's state, with Flink's operator test harness: what a restore at another
 * parallelism, or from the sink writer of earlier versions, re-posts to Alertmanager.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class AlertmanagerForwardingTest {

    private static final int MAX_PARALLELISM = 128;

    @Test
    void afterARescaleEachFiringAlertIsRepostedOnceByTheSubtaskThatNowOwnsIt() throws Exception {
        List<AlertEvent> alerts = StubAlertmanager.firing(12, "FlinkJobNotRunning");
        List<OperatorSubtaskState> before = new ArrayList<>();
        try (StubAlertmanager alertmanager = StubAlertmanager.accepting()) {
            for (int subtask = 0; subtask < 2; subtask++) {
                try (var harness = harness(alertmanager, 2, subtask, null)) {
                    for (AlertEvent alert : alerts) {
                        if (owner(alert, 2) == subtask) {
                            harness.processElement(new StreamRecord<>(alert));
                        }
                    }
                    before.add(harness.snapshot(1, 1));
                }
            }
        }
        OperatorSubtaskState saved =
                AbstractStreamOperatorTestHarness.repackageState(
                        before.toArray(new OperatorSubtaskState[0]));

        for (int parallelism : new int[] {3, 1}) {
            try (StubAlertmanager alertmanager = StubAlertmanager.accepting()) {
                List<OneInputStreamOperatorTestHarness<AlertEvent, Void>> restored =
                        new ArrayList<>();
                for (int subtask = 0; subtask < parallelism; subtask++) {
                    restored.add(
                            harness(
                                    alertmanager,
                                    parallelism,
                                    subtask,
                                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                            saved, MAX_PARALLELISM, 2, parallelism, subtask)));
                }
                await(() -> alertmanager.accepted.size() >= alerts.size());
                Thread.sleep(200);
                // Every alert once: re-posted by its owner, and by no other subtask.
                assertThat(alertmanager.accepted)
                        .containsExactlyInAnyOrderElementsOf(
                                alerts.stream().map(alert -> alert.label("job_name")).toList());
                for (var harness : restored) {
                    harness.close();
                }
            }
        }
    }

    @Test
    void firingAlertsKeptByTheSinkWriterOfEarlierVersionsAreRepostedAfterAnUpgrade()
            throws Exception {
        List<AlertEvent> alerts = StubAlertmanager.firing(3, "FlinkJobNotRunning");
        OperatorSubtaskState saved;
        try (var legacy = new OneInputStreamOperatorTestHarness<>(new LegacySinkWriter())) {
            legacy.open();
            for (AlertEvent alert : alerts) {
                legacy.processElement(new StreamRecord<>(alert));
            }
            saved = legacy.snapshot(1, 1);
        }
        try (StubAlertmanager alertmanager = StubAlertmanager.accepting();
                var harness = harness(alertmanager, 1, 0, saved)) {
            await(() -> alertmanager.accepted.size() >= alerts.size());
            assertThat(alertmanager.accepted).containsExactlyInAnyOrder("job-1", "job-2", "job-3");

            // And from then on in the forwarding's own state.
            OperatorSubtaskState next = harness.snapshot(2, 2);
            try (StubAlertmanager again = StubAlertmanager.accepting();
                    var restored = harness(again, 1, 0, next)) {
                await(() -> again.accepted.size() >= alerts.size());
                assertThat(again.accepted).hasSize(3);
            }
        }
    }

    /**
     * What Flink's sink writer operator kept for the Alertmanager sink of Flinkwatch up to 0.1:
     * each firing alert's JSON, versioned, in the list state {@code writer_raw_states}.
     */
    private static final class LegacySinkWriter extends AbstractStreamOperator<Void>
            implements OneInputStreamOperator<AlertEvent, Void> {

        private transient ListState<byte[]> state;

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            state =
                    context.getOperatorStateStore()
                            .getListState(AlertmanagerForwarding.SINK_WRITER_STATE);
        }

        @Override
        public void processElement(StreamRecord<AlertEvent> element) throws Exception {
            state.add(
                    SimpleVersionedSerialization.writeVersionAndSerialize(
                            new AlertmanagerForwarding.LegacyAlertSerializer(),
                            element.getValue()));
        }
    }

    private static OneInputStreamOperatorTestHarness<AlertEvent, Void> harness(
            StubAlertmanager alertmanager,
            int parallelism,
            int subtask,
            OperatorSubtaskState restored)
            throws Exception {
        AlertmanagerForwarding forwarding =
                new AlertmanagerForwarding(
                        new AlertForwarder.Settings(
                                alertmanager.url(),
                                "x",
                                Duration.ofMinutes(1),
                                100,
                                Duration.ofSeconds(5)),
                        AlertmanagerForwardingTest::routingKey);
        var harness =
                new OneInputStreamOperatorTestHarness<>(
                        forwarding.operator(), MAX_PARALLELISM, parallelism, subtask);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }

    private static String routingKey(AlertEvent alert) {
        return alert.label("cluster") + "/" + alert.label("job_name");
    }

    private static int owner(AlertEvent alert, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                routingKey(alert), MAX_PARALLELISM, parallelism);
    }
}

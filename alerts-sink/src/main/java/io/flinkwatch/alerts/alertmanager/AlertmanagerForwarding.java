package io.flinkwatch.alerts.alertmanager;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.util.Collector;

/**
 * Forwards alert events to Alertmanager ({@link AlertForwarder}), chained to the keyed operator
 * that produces them: writing never waits for Alertmanager, so it cannot slow the alerts topic
 * beside it. It is the pipeline's last step and emits nothing.
 *
 * <p>The alerts firing at a checkpoint are kept in <em>union</em> operator state: after a restore
 * at any parallelism, every subtask sees every firing alert and keeps re-posting those whose
 * routing key it now owns, so that the subtask that will receive an alert's RESOLVED event is the
 * one that re-posts it until then. (Flink's sink writer state is dealt out round-robin instead,
 * which after a rescale left most firing alerts with a subtask that did not own them.)
 *
 * <p>Metrics: {@code alertmanagerPosted}, {@code alertmanagerRejected}, {@code
 * alertmanagerFailedPosts}, {@code alertmanagerAuthenticationFailures}, {@code
 * alertmanagerDropped}, {@code alertmanagerQueued}.
 */
public final class AlertmanagerForwarding extends ProcessFunction<AlertEvent, Void>
        implements CheckpointedFunction, CheckpointListener {

    private static final long serialVersionUID = 1L;

    /** Cumulative alert events Alertmanager accepted (a gauge over the forwarder's count). */
    public static final String METRIC_POSTED = "alertmanagerPosted";

    /** Cumulative alert events Alertmanager refused for good (logged by name, not retried). */
    public static final String METRIC_REJECTED = "alertmanagerRejected";

    /** Cumulative posts that failed and were retried, those refused for credentials included. */
    public static final String METRIC_FAILED_POSTS = "alertmanagerFailedPosts";

    /** Cumulative posts refused for their credentials, or not made for an unreadable secret. */
    public static final String METRIC_AUTHENTICATION_FAILURES =
            "alertmanagerAuthenticationFailures";

    /** Cumulative alert events dropped from the full queue. */
    public static final String METRIC_DROPPED = "alertmanagerDropped";

    /** Alert events waiting in the queue now: the queue depth. */
    public static final String METRIC_QUEUED = "alertmanagerQueued";

    /** The firing alerts of every subtask, in their JSON form. */
    static final ListStateDescriptor<byte[]> FIRING =
            new ListStateDescriptor<>("alertmanager-firing", BytePrimitiveArraySerializer.INSTANCE);

    /**
     * Where the sink writer of Flinkwatch up to 0.1 kept the firing alerts (Flink's {@code
     * StatefulSinkWriterStateHandler}): read once after an upgrade, under the same uid.
     */
    static final ListStateDescriptor<byte[]> SINK_WRITER_STATE =
            new ListStateDescriptor<>("writer_raw_states", BytePrimitiveArraySerializer.INSTANCE);

    /** Gives the key by which the stream feeding this function is partitioned. */
    public interface RoutingKey extends Function<AlertEvent, String>, Serializable {}

    private final AlertForwarder.Settings settings;
    private final RoutingKey routingKey;

    private transient ListState<byte[]> firingState;
    private transient List<AlertEvent> restored;
    private transient AlertForwarder forwarder;

    /**
     * @param settings where and how to post; its watchdog, if any, is posted by subtask 0 only
     * @param routingKey the key the alerts were partitioned by upstream: after a restore, each
     *     subtask re-posts only the restored alerts whose key it now owns
     */
    public AlertmanagerForwarding(AlertForwarder.Settings settings, RoutingKey routingKey) {
        this.settings = settings;
        this.routingKey = routingKey;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        firingState = context.getOperatorStateStore().getUnionListState(FIRING);
        restored = new ArrayList<>();
        if (!context.isRestored()) {
            return;
        }
        for (byte[] alert : firingState.get()) {
            restored.add(AlertJson.fromJson(alert));
        }
        ListState<byte[]> legacy = context.getOperatorStateStore().getListState(SINK_WRITER_STATE);
        for (byte[] alert : legacy.get()) {
            restored.add(
                    SimpleVersionedSerialization.readVersionAndDeSerialize(
                            new LegacyAlertSerializer(), alert));
        }
        legacy.clear();
    }

    @Override
    public void open(OpenContext openContext) {
        var task = getRuntimeContext().getTaskInfo();
        int subtask = task.getIndexOfThisSubtask();
        AlertForwarder.Settings mine =
                subtask == 0 ? settings : settings.withWatchdog(java.util.Map.of());
        forwarder = new AlertForwarder(mine);
        List<AlertEvent> owned = new ArrayList<>();
        for (AlertEvent alert : restored) {
            int owner =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            routingKey.apply(alert),
                            task.getMaxNumberOfParallelSubtasks(),
                            task.getNumberOfParallelSubtasks());
            if (owner == subtask) {
                owned.add(alert);
            }
        }
        forwarder.restore(owned);
        restored = null;
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge(METRIC_POSTED, (Gauge<Long>) forwarder::posted);
        metrics.gauge(METRIC_REJECTED, (Gauge<Long>) forwarder::rejected);
        metrics.gauge(METRIC_FAILED_POSTS, (Gauge<Long>) forwarder::failedPosts);
        metrics.gauge(
                METRIC_AUTHENTICATION_FAILURES, (Gauge<Long>) forwarder::authenticationFailures);
        metrics.gauge(METRIC_DROPPED, (Gauge<Long>) forwarder::dropped);
        metrics.gauge(METRIC_QUEUED, (Gauge<Integer>) forwarder::queued);
        forwarder.start();
    }

    @Override
    public void processElement(AlertEvent event, Context ctx, Collector<Void> out) {
        forwarder.accept(event);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<byte[]> firing = new ArrayList<>();
        for (AlertEvent alert : forwarder.firing()) {
            firing.add(AlertJson.toJson(alert));
        }
        firingState.update(firing);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        forwarder.armWatchdog();
    }

    /** The input ended (a replay): what is queued still goes out, for up to 10 s. */
    void endOfInput() {
        forwarder.close(java.time.Duration.ofSeconds(10));
    }

    /** This function as the operator to add to a stream ({@code transform}). */
    public OneInputStreamOperator<AlertEvent, Void> operator() {
        return new Operator(this);
    }

    /** Runs the function and tells it when a bounded input ends. */
    private static final class Operator extends ProcessOperator<AlertEvent, Void>
            implements BoundedOneInput {

        private static final long serialVersionUID = 1L;

        Operator(AlertmanagerForwarding function) {
            super(function);
        }

        @Override
        public void endInput() {
            ((AlertmanagerForwarding) userFunction).endOfInput();
        }
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close(java.time.Duration.ofSeconds(2));
        }
    }

    /** The sink writer's version 1 format: an alert's JSON. */
    static final class LegacyAlertSerializer implements SimpleVersionedSerializer<AlertEvent> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(AlertEvent alert) {
            return AlertJson.toJson(alert);
        }

        @Override
        public AlertEvent deserialize(int version, byte[] serialized) throws IOException {
            return AlertJson.fromJson(serialized);
        }
    }
}

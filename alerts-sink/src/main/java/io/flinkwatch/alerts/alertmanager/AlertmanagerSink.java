package io.flinkwatch.alerts.alertmanager;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * A Flink sink that forwards alert events to Alertmanager ({@link AlertForwarder}): writing never
 * waits for Alertmanager, so it cannot slow the alerts topic beside it. The alerts firing at a
 * checkpoint are kept in the writer's state, so that after a restart they are re-posted and stay
 * active in Alertmanager.
 *
 * <p>Metrics: {@code alertmanagerPosted}, {@code alertmanagerFailedPosts}, {@code
 * alertmanagerAuthenticationFailures} (posts refused for their credentials, or not made for an
 * unreadable secret file), {@code alertmanagerDropped}, {@code alertmanagerQueued}.
 */
public final class AlertmanagerSink
        implements Sink<AlertEvent>, SupportsWriterState<AlertEvent, AlertEvent> {

    private static final long serialVersionUID = 1L;

    /** Cumulative posts Alertmanager accepted (a gauge over the forwarder's count). */
    public static final String METRIC_POSTED = "alertmanagerPosted";

    /** Cumulative posts that failed and were retried, those refused for credentials included. */
    public static final String METRIC_FAILED_POSTS = "alertmanagerFailedPosts";

    /** Cumulative posts refused for their credentials, or not made for an unreadable secret. */
    public static final String METRIC_AUTHENTICATION_FAILURES =
            "alertmanagerAuthenticationFailures";

    /** Cumulative alert events dropped from the full queue. */
    public static final String METRIC_DROPPED = "alertmanagerDropped";

    /** Alert events waiting in the queue now: the queue depth. */
    public static final String METRIC_QUEUED = "alertmanagerQueued";

    /** Gives the key by which the stream feeding this sink is partitioned. */
    public interface RoutingKey extends Function<AlertEvent, String>, Serializable {}

    private final String alertmanagerUrl;
    private final String generatorUrlTemplate;
    private final Duration resendInterval;
    private final int queueCapacity;
    private final AlertmanagerHttpConfig http;
    private final RoutingKey routingKey;

    /**
     * @param routingKey the key the alerts were partitioned by upstream (the sink is chained to a
     *     keyed operator): after a rescaled restart, each writer keeps re-posting only the restored
     *     alerts whose key it now owns, so that the writer that receives an alert's RESOLVED event
     *     is the one that stops re-posting it
     * @param http authentication and TLS; it names files on the TaskManagers, holds no secret
     */
    public AlertmanagerSink(
            String alertmanagerUrl,
            String generatorUrlTemplate,
            Duration resendInterval,
            int queueCapacity,
            AlertmanagerHttpConfig http,
            RoutingKey routingKey) {
        this.alertmanagerUrl = alertmanagerUrl;
        this.generatorUrlTemplate = generatorUrlTemplate;
        this.resendInterval = resendInterval;
        this.queueCapacity = queueCapacity;
        this.http = http;
        this.routingKey = routingKey;
    }

    @Override
    public StatefulSinkWriter<AlertEvent, AlertEvent> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<AlertEvent, AlertEvent> restoreWriter(
            WriterInitContext context, Collection<AlertEvent> recoveredState) {
        AlertForwarder forwarder =
                new AlertForwarder(
                        new AlertForwarder.Settings(
                                java.net.URI.create(alertmanagerUrl),
                                generatorUrlTemplate,
                                resendInterval,
                                queueCapacity,
                                Duration.ofSeconds(10),
                                http));
        TaskInfo task = context.getTaskInfo();
        List<AlertEvent> owned = new ArrayList<>();
        for (AlertEvent alert : recoveredState) {
            int owner =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            routingKey.apply(alert),
                            task.getMaxNumberOfParallelSubtasks(),
                            task.getNumberOfParallelSubtasks());
            if (owner == task.getIndexOfThisSubtask()) {
                owned.add(alert);
            }
        }
        forwarder.restore(owned);
        SinkWriterMetricGroup metrics = context.metricGroup();
        metrics.gauge(METRIC_POSTED, (Gauge<Long>) forwarder::posted);
        metrics.gauge(METRIC_FAILED_POSTS, (Gauge<Long>) forwarder::failedPosts);
        metrics.gauge(
                METRIC_AUTHENTICATION_FAILURES, (Gauge<Long>) forwarder::authenticationFailures);
        metrics.gauge(METRIC_DROPPED, (Gauge<Long>) forwarder::dropped);
        metrics.gauge(METRIC_QUEUED, (Gauge<Integer>) forwarder::queued);
        return new Writer(forwarder.start());
    }

    @Override
    public SimpleVersionedSerializer<AlertEvent> getWriterStateSerializer() {
        return new FiringAlertSerializer();
    }

    private record Writer(AlertForwarder forwarder)
            implements StatefulSinkWriter<AlertEvent, AlertEvent> {

        @Override
        public void write(AlertEvent event, SinkWriter.Context context) {
            forwarder.accept(event);
        }

        @Override
        public void flush(boolean endOfInput) {
            // Forwarding is best effort beside the alerts topic: a checkpoint never waits for it.
            if (endOfInput) {
                forwarder.close(Duration.ofSeconds(10));
            }
        }

        @Override
        public List<AlertEvent> snapshotState(long checkpointId) {
            return forwarder.firing();
        }

        @Override
        public void close() {
            forwarder.close(Duration.ofSeconds(2));
        }
    }

    /** Firing alerts in their JSON form. */
    static final class FiringAlertSerializer implements SimpleVersionedSerializer<AlertEvent> {

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

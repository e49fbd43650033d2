package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.FlinkwatchMetrics.OpenAlertState;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert lifecycle stage, keyed by monitored job name: turns signals into alert events with an
 * {@link AlertBook} kept in keyed state, under a {@link LifecyclePolicy} (repeat interval, resolve
 * hold, inhibition, grouping).
 *
 * <p>Signals come from several operators (the analytics' edges, the CEP pattern, the absence
 * detector), so their arrival order is not their event-time order. Each signal waits for the
 * watermark to pass its timestamp and all signals of one instant are applied together: the output
 * is the same on every replay. Deadlines of the book (a resolve hold that ends, a repeat that is
 * due) are event-time timers too. Signals raised by the wall clock ({@link
 * AlertSignal#immediate()}) are applied on arrival, since event time may be standing still. Such a
 * signal is dated ahead of the watermark, so everything of the book due before its date (pending
 * signals, the end of a resolve hold) is settled first, in event-time order: the alert of a job
 * that fell silent, spoke for a while and fell silent again resolves and fires again, however far
 * the watermark got.
 *
 * <p>A bounded input (a replay) ends with the watermark jumping to its maximum, which fires every
 * pending timer: series go stale and jobs fall silent after the last snapshot. Those consequences
 * of the recording's end are not part of the recorded incident, so signals and deadlines dated
 * after the newest snapshot of the input are dropped. Every signal up to it is produced on every
 * run, however the watermark advanced, so a replay gives the same alerts every time.
 *
 * <p>Alerts held back by an inhibition are counted in the {@code suppressedAlerts} metric and
 * logged at debug level. The gauges {@code openAlerts} (groups {@code alertname} and {@code state})
 * count the open alerts of this subtask by name and state ({@link OpenAlerts}), recounted from the
 * restored books at start ({@link KeyedStateMetricsOperator}, which runs this function in the job);
 * {@code numAlertEvents} and {@code numAlertEventsPerSecond} count the events published.
 */
public final class AlertLifecycleFunction
        extends KeyedProcessFunction<String, AlertSignal, AlertEvent>
        implements KeyedStateMetricsOperator.Recountable<String> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(AlertLifecycleFunction.class);

    private final AlertCatalog catalog;
    private final LifecyclePolicy policy;
    private final long endOfInput;

    private transient MapState<Long, List<AlertSignal>> pending;
    private transient ValueState<AlertBook> book;
    private transient Counter suppressed;
    private transient Counter published;
    private transient OpenAlerts open;

    /**
     * @param endOfInput the newest snapshot timestamp of a bounded input (a replay), or {@link
     *     Long#MAX_VALUE}: signals dated after it are dropped (see the class comment)
     */
    public AlertLifecycleFunction(AlertCatalog catalog, LifecyclePolicy policy, long endOfInput) {
        this.catalog = catalog;
        this.policy = policy;
        this.endOfInput = endOfInput;
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-signals",
                                        Types.LONG,
                                        new ListTypeInfo<>(TypeInformation.of(AlertSignal.class))));
        book = getRuntimeContext().getState(bookState());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        suppressed = metrics.counter(FlinkwatchMetrics.SUPPRESSED_ALERTS);
        published = metrics.counter(FlinkwatchMetrics.ALERT_EVENTS);
        metrics.meter(FlinkwatchMetrics.ALERT_EVENTS_RATE, new MeterView(published));
        List<String> names = catalog.rules().stream().map(Rule::name).toList();
        OpenAlerts tally = new OpenAlerts(names);
        open = tally;
        for (String name : names) {
            MetricGroup byName = metrics.addGroup(FlinkwatchMetrics.ALERTNAME, name);
            for (OpenAlertState state : OpenAlertState.values()) {
                byName.addGroup(FlinkwatchMetrics.STATE, state.label())
                        .gauge(
                                FlinkwatchMetrics.OPEN_ALERTS,
                                (Gauge<Long>) () -> tally.count(name, state));
            }
        }
    }

    private static ValueStateDescriptor<AlertBook> bookState() {
        return new ValueStateDescriptor<>("alerts", TypeInformation.of(AlertBook.class));
    }

    /** Counts the open alerts of the books restored to this subtask. */
    @Override
    public void recount(
            KeyedStateBackend<String> backend, KeyedStateMetricsOperator.EventTimers timers)
            throws Exception {
        backend.applyToAllKeys(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                bookState(),
                (key, state) -> {
                    AlertBook alerts = state.value();
                    open.add(alerts, 1);
                    if (alerts != null && alerts.hasAlertsOfDisabledRules(catalog)) {
                        // Resolved with the first watermark, however quiet the job stays.
                        timers.register(alerts.settledUpTo);
                    }
                });
    }

    @Override
    public void processElement(AlertSignal signal, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        if (signal.timestamp() > endOfInput) {
            return;
        }
        if (signal.immediate()) {
            long watermark = ctx.timerService().currentWatermark();
            settleUpTo(signal.timestamp(), watermark, ctx, out);
            apply(List.of(signal), signal.timestamp(), watermark, ctx, out);
            return;
        }
        List<AlertSignal> atTime = pending.get(signal.timestamp());
        if (atTime == null) {
            atTime = new ArrayList<>();
        }
        atTime.add(signal);
        pending.put(signal.timestamp(), atTime);
        ctx.timerService().registerEventTimeTimer(signal.timestamp());
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        if (time > endOfInput) {
            return;
        }
        apply(takePending(time), time, time, ctx, out);
    }

    /** Removes and returns the signals waiting for {@code time}. */
    private List<AlertSignal> takePending(long time) throws Exception {
        List<AlertSignal> due = pending.get(time);
        if (due == null) {
            return List.of();
        }
        pending.remove(time);
        return due;
    }

    /**
     * Applies, in event-time order, the pending signals and the book's deadlines dated up to {@code
     * time}. Their timers stay registered and find nothing left to do when they fire.
     */
    private void settleUpTo(long time, long watermark, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        while (true) {
            long next = Long.MAX_VALUE;
            for (Long at : pending.keys()) {
                next = Math.min(next, at);
            }
            AlertBook alerts = book.value();
            if (alerts != null) {
                next = Math.min(next, alerts.nextDeadline(policy));
            }
            if (next > time) {
                return;
            }
            apply(takePending(next), next, watermark, ctx, out);
        }
    }

    private void apply(
            List<AlertSignal> signals,
            long now,
            long watermark,
            Context ctx,
            Collector<AlertEvent> out)
            throws Exception {
        AlertBook alerts = book.value();
        if (alerts == null) {
            if (signals.isEmpty()) {
                return;
            }
            alerts = new AlertBook();
        }
        open.add(alerts, -1);
        AlertBook.Outcome outcome = alerts.apply(signals, now, catalog, policy);
        open.add(alerts, 1);
        for (AlertBook.Suppression suppression : outcome.suppressions()) {
            suppressed.inc();
            LOG.debug(
                    "{} {} {} is suppressed by {}",
                    suppression.alertname(),
                    suppression.fingerprint(),
                    suppression.labels(),
                    suppression.inhibitedBy());
        }
        for (AlertEvent event : outcome.events()) {
            published.inc();
            out.collect(event);
        }
        if (alerts.isEmpty()) {
            book.clear();
            return;
        }
        book.update(alerts);
        long deadline = alerts.nextDeadline(policy);
        if (deadline != Long.MAX_VALUE) {
            // A deadline already passed (after a wall-clock signal) fires with the next watermark.
            ctx.timerService().registerEventTimeTimer(Math.max(deadline, watermark + 1));
        }
    }
}

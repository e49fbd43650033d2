package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.job.detection.AlertCatalog;
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
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The alert lifecycle stage, keyed by monitored job name: turns signals into FIRING and RESOLVED
 * events with an {@link AlertBook} kept in keyed state.
 *
 * <p>Signals come from several operators (one CEP pattern per rule, the analytics' clear edges,
 * the absence detector), so their arrival order is not their event-time order. Each signal waits
 * for the watermark to pass its timestamp and all signals of one instant are applied in a fixed
 * order: the output is the same on every replay. Signals raised by the wall clock ({@link
 * AlertSignal#immediate()}) are applied on arrival, since event time may be standing still.
 *
 * <p>A bounded input (a replay) ends with the watermark jumping to its maximum, which fires every
 * pending timer: series go stale and jobs fall silent after the last snapshot. Those consequences
 * of the recording's end are not part of the recorded incident, so signals dated after the newest
 * snapshot of the input are dropped. Every signal up to it is produced on every run, however the
 * watermark advanced, so a replay gives the same alerts every time.
 */
public final class AlertLifecycleFunction extends KeyedProcessFunction<String, AlertSignal, AlertEvent> {

    private static final long serialVersionUID = 1L;

    private final AlertCatalog catalog;
    private final AlertGrouping grouping;
    private final long endOfInput;

    private transient MapState<Long, List<AlertSignal>> pending;
    private transient ValueState<AlertBook> book;

    /**
     * @param endOfInput the newest snapshot timestamp of a bounded input (a replay), or {@link
     *     Long#MAX_VALUE}: signals dated after it are dropped (see the class comment)
     */
    public AlertLifecycleFunction(AlertCatalog catalog, AlertGrouping grouping, long endOfInput) {
        this.catalog = catalog;
        this.grouping = grouping;
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
        book =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("alerts", TypeInformation.of(AlertBook.class)));
    }

    @Override
    public void processElement(AlertSignal signal, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        if (signal.timestamp() > endOfInput) {
            return;
        }
        if (signal.immediate()) {
            apply(List.of(signal), out);
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
        List<AlertSignal> due = pending.get(time);
        if (due == null) {
            return;
        }
        pending.remove(time);
        apply(due, out);
    }

    private void apply(List<AlertSignal> signals, Collector<AlertEvent> out) throws Exception {
        AlertBook alerts = book.value();
        if (alerts == null) {
            alerts = new AlertBook();
        }
        for (AlertEvent event : alerts.apply(signals, catalog, grouping)) {
            out.collect(event);
        }
        if (alerts.isEmpty()) {
            book.clear();
        } else {
            book.update(alerts);
        }
    }
}

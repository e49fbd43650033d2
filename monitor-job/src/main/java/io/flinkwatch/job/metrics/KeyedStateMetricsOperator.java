package io.flinkwatch.job.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * A {@link KeyedProcessOperator} that adds what a keyed function cannot do for its own metrics:
 *
 * <ul>
 *   <li>Gauges over keyed state (watched jobs, open alerts) are counters in memory, which a restore
 *       from a checkpoint or savepoint would reset to zero (and a rescale would redistribute). So
 *       after the state is restored, a {@link Recountable} function recounts them from the key
 *       groups this subtask now owns ({@link KeyedStateBackend#applyToAllKeys}): one pass over its
 *       state at start, none per record.
 *   <li>{@code eventTimeLagMs}: the wall clock minus this operator's current watermark, in
 *       milliseconds, read from the watermarks as they pass (0 before the first one and after the
 *       end of a bounded input).
 * </ul>
 *
 * Used in place of {@code keyBy(...).process(function)} under the same uid: the state it keeps is
 * exactly the plain operator's, so savepoints of either restore into the other.
 */
public final class KeyedStateMetricsOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {

    private static final long serialVersionUID = 1L;

    /** A keyed function that recounts its state gauges from restored state. */
    public interface Recountable<K> {

        /**
         * Sets the function's counts from the state of {@code backend}'s keys. Called once, after
         * {@code open} and before the first record; may change the backend's current key. {@code
         * timers} registers an event-time timer for the backend's current key, for restored state
         * that needs attention (as the function's own timer service would).
         */
        void recount(KeyedStateBackend<K> backend, EventTimers timers) throws Exception;
    }

    /** Registers event-time timers of the current key, from outside record processing. */
    @FunctionalInterface
    public interface EventTimers {
        void register(long time);
    }

    private transient volatile long watermark;

    public KeyedStateMetricsOperator(KeyedProcessFunction<K, IN, OUT> function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        getMetricGroup()
                .gauge(
                        FlinkwatchMetrics.EVENT_TIME_LAG,
                        (Gauge<Long>) () -> lagMs(watermark, System.currentTimeMillis()));
        if (userFunction instanceof Recountable<?> recountable) {
            @SuppressWarnings("unchecked")
            Recountable<K> function = (Recountable<K>) recountable;
            // The timer service of KeyedProcessOperator, by its name: the same timers.
            InternalTimerService<VoidNamespace> timers =
                    getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
            function.recount(
                    getKeyedStateBackend(),
                    time -> timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        watermark = mark.getTimestamp();
    }

    /** Wall clock minus the watermark; 0 without a watermark or after the end of input. */
    static long lagMs(long watermark, long now) {
        if (watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(0, now - watermark);
    }
}

package io.flinkwatch.job.analytics;

import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.ConditionTracker;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The Flink glue shared by the analytics operators of every metric family: samples are absorbed
 * into keyed state as they arrive, and at each instant of the {@link EvaluationGrid} (an
 * event-time timer) the family's rules are evaluated on the samples at or before it, and a {@link
 * ConditionTracker} turns the outcomes into edges for the sustained-condition patterns.
 *
 * <p>A key keeps being evaluated while it has a sample within the staleness; after that its
 * conditions clear and {@link #forgetSeries} drops what is no longer needed. This depends only on
 * the key's own samples, so it is the same whether the watermark moves in small steps or jumps
 * (as it does to its maximum at the end of a bounded input).
 *
 * @param <IN> what the family reads
 */
public abstract class GridAnalyzer<IN> extends KeyedProcessFunction<String, IN, ConditionEvaluation> {

    private static final long serialVersionUID = 1L;

    protected final EvaluationGrid grid;

    private transient ValueState<ConditionTracker> tracker;

    protected GridAnalyzer(EvaluationGrid grid) {
        this.grid = grid;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        tracker =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "conditions", TypeInformation.of(ConditionTracker.class)));
    }

    @Override
    public final void processElement(IN sample, Context ctx, Collector<ConditionEvaluation> out)
            throws Exception {
        long time = absorb(sample);
        ctx.timerService().registerEventTimeTimer(grid.evaluationFor(time));
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ConditionEvaluation> out)
            throws Exception {
        if (ctx.timeDomain() != TimeDomain.EVENT_TIME || time % grid.intervalMs() != 0) {
            return;
        }
        ConditionTracker conditions = tracker.value();
        if (conditions == null) {
            conditions = new ConditionTracker();
        }
        boolean active = newestSample() > time - grid.stalenessMs();
        List<RuleOutcome> outcomes = active ? evaluate(time) : List.of();
        for (ConditionEvaluation edge : conditions.evaluate(time, outcomes)) {
            out.collect(edge);
        }
        if (conditions.isEmpty()) {
            tracker.clear();
        } else {
            tracker.update(conditions);
        }
        if (active) {
            evict(time);
            ctx.timerService().registerEventTimeTimer(grid.next(time));
        } else {
            forgetSeries(time);
        }
    }

    /**
     * Stores a sample in keyed state.
     *
     * @return its event time
     */
    protected abstract long absorb(IN sample) throws Exception;

    /** Event time of the newest sample of the current key, or {@link Long#MIN_VALUE}. */
    protected abstract long newestSample() throws Exception;

    /** Evaluates the family's rules at an evaluation instant: the instances that hold. */
    protected abstract List<RuleOutcome> evaluate(long time) throws Exception;

    /** Drops samples no rule will read again after {@code time}. */
    protected abstract void evict(long time) throws Exception;

    /** The key's series went stale at {@code time}: drop their state (keep long-lived baselines). */
    protected abstract void forgetSeries(long time) throws Exception;
}

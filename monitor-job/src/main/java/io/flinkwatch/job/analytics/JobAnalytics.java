package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import io.flinkwatch.job.detection.ConditionTracker;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The analytics operator, keyed by monitored job (cluster and job name): the Flink glue around the
 * {@link MetricFamily metric families}. Samples are absorbed into keyed state as they arrive, and at
 * each instant of the {@link EvaluationGrid} (an event-time timer) every family's rules are
 * evaluated on the samples at or before it; a {@link ConditionTracker} turns the outcomes into
 * edges.
 *
 * <p>Edges of rules that must hold for a while go to the {@link #EVALUATIONS} side output, where
 * the sustained-condition pattern watches them; one operator feeds it, so edges reach it in order
 * with their watermarks. The main output carries what needs no pattern: a cleared condition
 * resolves its alert (if it fired), and the raise of a rule without duration fires at once.
 *
 * <p>A key keeps being evaluated while it has a sample within the staleness; after that its
 * conditions clear and its families forget their series. This depends only on the key's own
 * samples, so it is the same whether the watermark moves in small steps or jumps (as it does to
 * its maximum at the end of a bounded input).
 */
public final class JobAnalytics extends KeyedProcessFunction<String, MetricSnapshot, AlertSignal> {

    private static final long serialVersionUID = 1L;

    /** Edges of rules with a duration, for the sustained-condition pattern. */
    public static final OutputTag<ConditionEvaluation> EVALUATIONS =
            new OutputTag<>("condition-evaluations", TypeInformation.of(ConditionEvaluation.class));

    private final EvaluationGrid grid;
    private final List<MetricFamily> families;

    private transient ValueState<ConditionTracker> tracker;

    public JobAnalytics(EvaluationGrid grid, List<MetricFamily> families) {
        this.grid = grid;
        this.families = List.copyOf(families);
    }

    public List<MetricFamily> families() {
        return families;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        tracker =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("conditions", TypeInformation.of(ConditionTracker.class)));
        for (MetricFamily family : families) {
            family.open(getRuntimeContext());
        }
    }

    @Override
    public void processElement(MetricSnapshot snapshot, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        for (MetricFamily family : families) {
            family.absorb(snapshot);
        }
        ctx.timerService().registerEventTimeTimer(grid.evaluationFor(snapshot.timestamp()));
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out) throws Exception {
        if (ctx.timeDomain() != TimeDomain.EVENT_TIME) {
            return;
        }
        if (time % grid.intervalMs() != 0) {
            for (MetricFamily family : families) {
                family.housekeeping(time);
            }
            return;
        }
        long newest = Long.MIN_VALUE;
        for (MetricFamily family : families) {
            newest = Math.max(newest, family.newestSample());
        }
        boolean active = newest > time - grid.stalenessMs();
        List<RuleOutcome> holding = new ArrayList<>();
        if (active) {
            for (MetricFamily family : families) {
                family.evaluate(time, holding);
            }
        }

        ConditionTracker conditions = tracker.value();
        if (conditions == null) {
            conditions = new ConditionTracker();
        }
        for (ConditionEvaluation edge : conditions.evaluate(time, holding)) {
            if (edge.sustainForMs() > 0) {
                ctx.output(EVALUATIONS, edge);
            }
            if (edge.kind() == Kind.CLEARED) {
                out.collect(AlertSignal.resolve(edge));
            } else if (edge.kind() == Kind.RAISED && edge.sustainForMs() == 0) {
                out.collect(AlertSignal.fire(edge, edge.timestamp()));
            } else if (edge.kind() == Kind.RAISED) {
                // An alert waiting out its resolve hold goes on when its condition returns.
                out.collect(AlertSignal.raise(edge));
            }
        }
        if (conditions.isEmpty()) {
            tracker.clear();
        } else {
            tracker.update(conditions);
        }

        if (active) {
            for (MetricFamily family : families) {
                family.evict(time);
            }
            ctx.timerService().registerEventTimeTimer(grid.next(time));
        } else {
            for (MetricFamily family : families) {
                family.forget(time, ctx.timerService());
            }
        }
    }
}

package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import io.flinkwatch.job.detection.ConditionTracker;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.lifecycle.AlertSignal;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import io.flinkwatch.job.metrics.StateCount;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The analytics operator, keyed by monitored job name (cluster and job name): the Flink glue around
 * the {@link MetricFamily metric families}. Samples are absorbed into keyed state as they arrive,
 * and at each instant of the {@link EvaluationGrid} (an event-time timer) every family's rules are
 * evaluated on the samples at or before it; a {@link ConditionTracker} turns the outcomes into
 * edges.
 *
 * <p>Edges of rules that must hold for a while go to the {@link #EVALUATIONS} side output, where
 * the sustained-condition pattern watches them; one operator feeds it, so edges reach it in order
 * with their watermarks. The main output carries what needs no pattern: a cleared condition
 * resolves its alert (if it fired), and the raise of a rule without duration fires at once.
 *
 * <p>Several runs of a job name (job ids) may be under one key: a resubmission, or namesakes
 * running at once. {@link JobRuns} decides which runs are evaluated; each is evaluated on its own
 * samples, and the alerts of concurrent namesakes carry their job id.
 *
 * <p>Edges are never emitted behind the watermark: a snapshot whose evaluation instant has passed
 * (counted in {@code lateSamples}) is evaluated from the next instant on.
 *
 * <p>A key keeps being evaluated while it has a sample within the staleness; after that its
 * conditions clear and its families forget their series. This depends only on the key's own
 * samples, so it is the same whether the watermark moves in small steps or jumps (as it does to its
 * maximum at the end of a bounded input).
 *
 * <p>Metrics (per subtask): {@code watchedJobs}, the keys with a sample within the staleness (the
 * keys of the {@code job-runs} state), and {@code watchedSeries}, the families' sample series
 * ({@link MetricFamily#seriesStates()}). Both move as keys and series come and go, and are
 * recounted from the restored state at start ({@link KeyedStateMetricsOperator}, which runs this
 * function in the job); {@code lateSamples} counts samples whose instant had passed.
 */
public final class JobAnalytics extends KeyedProcessFunction<String, MetricSnapshot, AlertSignal>
        implements KeyedStateMetricsOperator.Recountable<String> {

    private static final long serialVersionUID = 1L;

    /** Edges of rules with a duration, for the sustained-condition pattern. */
    public static final OutputTag<ConditionEvaluation> EVALUATIONS =
            new OutputTag<>("condition-evaluations", TypeInformation.of(ConditionEvaluation.class));

    private final EvaluationGrid grid;
    private final List<MetricFamily> families;

    private transient ValueState<ConditionTracker> tracker;
    private transient ValueState<JobRuns> runs;
    private transient Counter lateSamples;
    private transient StateCount watchedJobs;
    private transient StateCount watchedSeries;

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
                        .getState(
                                new ValueStateDescriptor<>(
                                        "conditions", TypeInformation.of(ConditionTracker.class)));
        runs = getRuntimeContext().getState(runsState());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        lateSamples = metrics.counter(FlinkwatchMetrics.LATE_SAMPLES);
        StateCount jobs = new StateCount();
        StateCount series = new StateCount();
        watchedJobs = jobs;
        watchedSeries = series;
        metrics.gauge(FlinkwatchMetrics.WATCHED_JOBS, (Gauge<Long>) jobs::get);
        metrics.gauge(FlinkwatchMetrics.WATCHED_SERIES, (Gauge<Long>) series::get);
        for (MetricFamily family : families) {
            family.open(getRuntimeContext(), series);
        }
    }

    private static ValueStateDescriptor<JobRuns> runsState() {
        return new ValueStateDescriptor<>("job-runs", TypeInformation.of(JobRuns.class));
    }

    /** Counts the watched jobs and series of the restored state of this subtask. */
    @Override
    public void recount(
            KeyedStateBackend<String> backend, KeyedStateMetricsOperator.EventTimers timers)
            throws Exception {
        long[] jobs = {0};
        backend.applyToAllKeys(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                runsState(),
                (key, state) -> {
                    if (state.value() != null) {
                        jobs[0]++;
                    }
                });
        long series = 0;
        for (MetricFamily family : families) {
            for (MapStateDescriptor<String, ?> entries : family.seriesStates()) {
                series += countEntries(backend, entries);
            }
        }
        watchedJobs.set(jobs[0]);
        watchedSeries.set(series);
    }

    private static <V> long countEntries(
            KeyedStateBackend<String> backend, MapStateDescriptor<String, V> descriptor)
            throws Exception {
        long[] count = {0};
        backend.applyToAllKeys(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                descriptor,
                (key, state) -> {
                    for (String ignored : state.keys()) {
                        count[0]++;
                    }
                });
        return count[0];
    }

    @Override
    public void processElement(MetricSnapshot snapshot, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        JobRuns known = runs.value();
        if (known == null) {
            known = new JobRuns();
            watchedJobs.add(1);
        }
        known.seen(snapshot.job().id(), snapshot.timestamp());
        runs.update(known);
        for (MetricFamily family : families) {
            family.absorb(snapshot);
        }
        long evaluation = grid.evaluationFor(snapshot.timestamp());
        long watermark = ctx.timerService().currentWatermark();
        if (evaluation <= watermark) {
            // Its instant was evaluated already (the snapshot came from a partition that was idle
            // while others moved event time on): evaluating it now would send the pattern edges
            // behind its watermark. Later evaluations read the sample where it is in range.
            lateSamples.inc();
            evaluation = grid.evaluationFor(watermark + 1);
        }
        ctx.timerService().registerEventTimeTimer(evaluation);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out)
            throws Exception {
        if (ctx.timeDomain() != TimeDomain.EVENT_TIME) {
            return;
        }
        if (time % grid.intervalMs() != 0) {
            for (MetricFamily family : families) {
                family.housekeeping(time);
            }
            return;
        }
        JobRuns known = runs.value();
        boolean active = known != null && known.anyRecent(time, grid.stalenessMs());
        List<RuleOutcome> holding = new ArrayList<>();
        if (active) {
            for (JobRuns.Evaluated run : known.evaluated(time, grid.stalenessMs())) {
                List<RuleOutcome> ofRun = new ArrayList<>();
                for (MetricFamily family : families) {
                    family.evaluate(time, run, ofRun);
                }
                for (RuleOutcome outcome : ofRun) {
                    holding.add(run.namesakes() ? outcome.identifiedByJobId() : outcome);
                }
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
            for (String retired : known.retire(time, grid.stalenessMs())) {
                for (MetricFamily family : families) {
                    family.forgetRun(retired);
                }
            }
            runs.update(known);
            for (MetricFamily family : families) {
                family.evict(time);
            }
            ctx.timerService().registerEventTimeTimer(grid.next(time));
        } else {
            if (known != null) {
                runs.clear();
                watchedJobs.add(-1);
            }
            for (MetricFamily family : families) {
                family.forget(time, ctx.timerService());
            }
        }
    }
}

package io.flinkwatch.job.analytics.flow;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.JobRuns;
import io.flinkwatch.job.analytics.MetricFamily;
import io.flinkwatch.job.analytics.baseline.BaselineMode;
import io.flinkwatch.job.analytics.baseline.ThroughputBaseline;
import io.flinkwatch.job.analytics.flow.TaskFlowView.Subtask;
import io.flinkwatch.job.analytics.flow.TaskFlowView.VertexThroughput;
import io.flinkwatch.job.analytics.topology.BottleneckFinder;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.metrics.StateCount;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The task metrics of a monitored job and the {@link TaskFlowRule}s over them: the newest metrics
 * of every subtask, the job graph, and each vertex's throughput against its baseline. Each run (job
 * id) of the name has its own subtasks. Baselines are kept by vertex name, so they survive a
 * resubmission under a new job id (a namesake running beside it keeps its own), and they are fed
 * only while no subtask of the vertex is within the restart grace (per-second meters ramp up over
 * their first minute). A baseline not fed for the state retention (its job stayed away, or its
 * vertex was renamed) is dropped.
 */
public final class TaskFlowFamily implements MetricFamily {

    private static final long serialVersionUID = 1L;

    /**
     * How baselines are kept.
     *
     * @param mode flat or seasonal
     * @param windowMs the flat baseline's window (7 days)
     * @param minHistoryMs history needed before a baseline is used
     * @param minWeeks past weeks needed before the seasonal estimate is used
     * @param sourcesOnly baselines (and throughput-drop verdicts) for source vertices only
     * @param retentionMs a baseline not fed for this long is dropped (its vertex or job is gone)
     */
    public record BaselineSettings(
            BaselineMode mode,
            long windowMs,
            long minHistoryMs,
            int minWeeks,
            boolean sourcesOnly,
            long retentionMs)
            implements Serializable {}

    /** How often, in event time, a live job's baselines are checked for vertices long gone. */
    private static final long BASELINE_HOUSEKEEPING_MS = 3_600_000L;

    private final List<TaskFlowRule> rules;
    private final long lookbackMs;
    private final long evaluationIntervalMs;
    private final long restartGraceMs;
    private final BaselineSettings baselineSettings;

    /** The task metrics the family reads. */
    public static final Set<String> TASK_METRICS =
            Set.of(
                    FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND,
                    FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND,
                    FlinkMetricNames.BUSY_TIME_MS_PER_SECOND,
                    FlinkMetricNames.BACK_PRESSURED_TIME_MS_PER_SECOND,
                    FlinkMetricNames.IS_BACK_PRESSURED);

    /** What is kept of each run besides its subtasks, by job id. */
    private transient MapState<String, TaskFlowJob> jobs;

    /** Subtask samples by {@code <job id><separator><vertex id>|<subtask>}. */
    private transient MapState<String, SubtaskSamples> subtasks;

    private transient MapState<String, ThroughputBaseline> baselines;

    /** The one retention timer of the key, while it waits: replaced, never piled up. */
    private transient ValueState<Long> retentionTimer;

    private transient StateCount series;

    public TaskFlowFamily(
            List<TaskFlowRule> rules,
            long lookbackMs,
            long evaluationIntervalMs,
            long restartGraceMs,
            BaselineSettings baselineSettings) {
        this.rules = List.copyOf(rules);
        this.lookbackMs = lookbackMs;
        this.evaluationIntervalMs = evaluationIntervalMs;
        this.restartGraceMs = restartGraceMs;
        this.baselineSettings = baselineSettings;
    }

    @Override
    public boolean reads(ScopeLevel level, String metric) {
        return level == ScopeLevel.TASK && TASK_METRICS.contains(metric);
    }

    @Override
    public boolean readsTopology() {
        return true;
    }

    @Override
    public void open(RuntimeContext runtime, StateCount series) {
        this.series = series;
        jobs =
                runtime.getMapState(
                        new MapStateDescriptor<>(
                                "task-flow-jobs-by-run",
                                Types.STRING,
                                TypeInformation.of(TaskFlowJob.class)));
        subtasks = runtime.getMapState(subtasksState());
        baselines =
                runtime.getMapState(
                        new MapStateDescriptor<>(
                                "throughput-baselines",
                                Types.STRING,
                                TypeInformation.of(ThroughputBaseline.class)));
        retentionTimer =
                runtime.getState(
                        new ValueStateDescriptor<>("throughput-baseline-expiry", Types.LONG));
    }

    private static MapStateDescriptor<String, SubtaskSamples> subtasksState() {
        return new MapStateDescriptor<>(
                "task-flow-subtasks-by-run",
                Types.STRING,
                TypeInformation.of(SubtaskSamples.class));
    }

    @Override
    public List<MapStateDescriptor<String, ?>> seriesStates() {
        return List.of(subtasksState());
    }

    @Override
    public void absorb(MetricSnapshot snapshot) throws Exception {
        boolean task = snapshot.scope().level() == ScopeLevel.TASK && !snapshot.metrics().isEmpty();
        if (!task && snapshot.topology() == null) {
            return;
        }
        String jobId = snapshot.job().id();
        TaskFlowJob current = jobs.get(jobId);
        long time = snapshot.timestamp();
        // Most snapshots are a subtask's at an instant already seen: then the run is unchanged,
        // and the state holds it as it is.
        if (current == null
                || time > current.newestSample
                || (snapshot.topology() != null && time >= current.topologyTime)) {
            if (current == null) {
                current = new TaskFlowJob();
            }
            current.cluster = snapshot.cluster();
            current.jobName = snapshot.job().name();
            if (time >= current.newestSample) {
                current.newestSample = time;
                current.jobId = snapshot.job().id();
            }
            if (snapshot.topology() != null && time >= current.topologyTime) {
                current.topology = snapshot.topology();
                current.topologyTime = time;
            }
            jobs.put(jobId, current);
        }
        if (task) {
            String key =
                    JobKeys.runPrefix(jobId)
                            + snapshot.scope().vertexId()
                            + "|"
                            + snapshot.scope().subtask();
            SubtaskSamples samples = subtasks.get(key);
            if (samples == null) {
                samples = new SubtaskSamples();
                series.add(1);
            }
            samples.add(snapshot);
            subtasks.put(key, samples);
        }
    }

    @Override
    public void evaluate(long time, JobRuns.Evaluated run, List<RuleOutcome> holding)
            throws Exception {
        TaskFlowJob current = jobs.get(run.jobId());
        if (current == null) {
            return;
        }
        long lookback = lookbackMs;
        String prefix = JobKeys.runPrefix(run.jobId());
        Map<String, List<Subtask>> vertices = new TreeMap<>();
        for (Map.Entry<String, SubtaskSamples> entry : subtasks.entries()) {
            if (!entry.getKey().startsWith(prefix)) {
                continue;
            }
            SubtaskSamples samples = entry.getValue();
            int i = samples.latest(time, lookback);
            if (i < 0) {
                continue;
            }
            boolean warmingUp = samples.attemptSince + restartGraceMs > time;
            vertices.computeIfAbsent(samples.vertexId, id -> new ArrayList<>())
                    .add(
                            new Subtask(
                                    samples.vertexId,
                                    samples.vertexName,
                                    samples.subtask,
                                    samples.busy[i],
                                    samples.backPressured[i],
                                    samples.in[i],
                                    samples.out[i],
                                    warmingUp));
        }
        vertices.values().forEach(list -> list.sort(Comparator.comparingInt(Subtask::subtask)));

        Set<String> sources = BottleneckFinder.sources(current.topology);
        Set<String> sinks = BottleneckFinder.sinks(current.topology);
        boolean graphKnown = current.topology != null;
        Map<String, VertexThroughput> throughput = new LinkedHashMap<>();
        for (Map.Entry<String, List<Subtask>> vertex : vertices.entrySet()) {
            List<Subtask> list = vertex.getValue();
            boolean source = graphKnown ? sources.contains(vertex.getKey()) : looksLikeSource(list);
            boolean sink = graphKnown ? sinks.contains(vertex.getKey()) : looksLikeSink(list);
            double rate = 0;
            boolean warmingUp = false;
            for (Subtask subtask : list) {
                double subtaskRate = source ? subtask.out() : subtask.in();
                rate += Double.isNaN(subtaskRate) ? 0 : subtaskRate;
                warmingUp |= subtask.warmingUp();
            }
            String name = list.get(0).vertexName();
            // Baselines belong to the name, so that they survive a resubmission; a namesake that
            // runs beside the eldest run keeps its own, so that they never mix.
            String baselineKey = run.eldest() ? name : name + "|" + run.jobId();
            ThroughputBaseline.Estimate expected = null;
            if (source || !baselineSettings.sourcesOnly()) {
                ThroughputBaseline baseline = baselines.get(baselineKey);
                if (baseline == null) {
                    baseline = new ThroughputBaseline();
                }
                expected =
                        baseline.estimate(
                                time,
                                baselineSettings.mode(),
                                baselineSettings.windowMs(),
                                baselineSettings.minHistoryMs(),
                                baselineSettings.minWeeks());
                if (!warmingUp) {
                    baseline.add(time, rate);
                    baselines.put(baselineKey, baseline);
                }
            }
            throughput.put(
                    vertex.getKey(),
                    new VertexThroughput(
                            vertex.getKey(), name, source, sink, rate, expected, warmingUp));
        }

        TaskFlowView view =
                new TaskFlowView(
                        current.cluster,
                        current.jobName,
                        current.jobId,
                        current.topology,
                        vertices,
                        throughput);
        for (TaskFlowRule rule : rules) {
            rule.evaluate(view, time, holding);
        }
    }

    private static boolean looksLikeSource(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(s -> !(s.in() > 0))
                && subtasks.stream().anyMatch(s -> s.out() > 0);
    }

    private static boolean looksLikeSink(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(s -> !(s.out() > 0))
                && subtasks.stream().anyMatch(s -> s.in() > 0);
    }

    @Override
    public void evict(long time) throws Exception {
        if (time % BASELINE_HOUSEKEEPING_MS == 0) {
            // A renamed vertex leaves a baseline nobody feeds while its job lives on.
            housekeeping(time);
        }
        long lookback = lookbackMs;
        for (Iterator<Map.Entry<String, SubtaskSamples>> it = subtasks.iterator(); it.hasNext(); ) {
            Map.Entry<String, SubtaskSamples> entry = it.next();
            SubtaskSamples samples = entry.getValue();
            if (samples.newestTime() <= time - lookback) {
                it.remove();
                series.add(-1);
            } else if (samples.latest(time, lookback) > 0) {
                samples.evict(time);
                entry.setValue(samples);
            }
        }
    }

    @Override
    public void forgetRun(String jobId) throws Exception {
        jobs.remove(jobId);
        String prefix = JobKeys.runPrefix(jobId);
        for (Iterator<String> it = subtasks.keys().iterator(); it.hasNext(); ) {
            if (it.next().startsWith(prefix)) {
                it.remove();
                series.add(-1);
            }
        }
    }

    @Override
    public void forget(long time, TimerService timers) throws Exception {
        jobs.clear();
        long dropped = 0;
        for (String ignored : subtasks.keys()) {
            dropped++;
        }
        series.add(-dropped);
        subtasks.clear();
        if (!baselines.isEmpty()) {
            // One millisecond off the evaluation grid, so that it is told apart from evaluations.
            long expiry = time + baselineSettings.retentionMs();
            long at = expiry - Math.floorMod(expiry, evaluationIntervalMs) + 1;
            // A job that goes stale again and again would otherwise collect one timer each time.
            Long pending = retentionTimer.value();
            if (pending != null && pending != at) {
                timers.deleteEventTimeTimer(pending);
            }
            timers.registerEventTimeTimer(at);
            retentionTimer.update(at);
        }
    }

    @Override
    public void housekeeping(long time) throws Exception {
        Long pending = retentionTimer.value();
        if (pending != null && pending <= time) {
            retentionTimer.clear();
        }
        for (Iterator<Map.Entry<String, ThroughputBaseline>> it = baselines.iterator();
                it.hasNext(); ) {
            if (it.next().getValue().newestSample <= time - baselineSettings.retentionMs()) {
                it.remove();
            }
        }
        if (baselines.isEmpty()) {
            // Removing the last entry leaves an empty map behind on the heap backend.
            baselines.clear();
        }
    }
}

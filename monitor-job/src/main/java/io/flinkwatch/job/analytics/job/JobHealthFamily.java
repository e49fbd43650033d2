package io.flinkwatch.job.analytics.job;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobRuns;
import io.flinkwatch.job.analytics.MetricFamily;
import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.metrics.StateCount;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The job-level series of a monitored job and the {@link JobHealthRule}s over them: status, uptime,
 * checkpoints, state size, and the tasks' barrier alignment. Each metric is kept only as far back
 * as the rules that read it look, and each run (job id) of the name has its own series.
 */
public final class JobHealthFamily implements MetricFamily {

    private static final long serialVersionUID = 1L;

    private final List<JobHealthRule> rules;
    private final EvaluationContext context;
    private final Map<String, Long> retentionMs = new HashMap<>();

    /** The series of each run, by job id. */
    private transient MapState<String, JobHealthState> runs;

    private transient StateCount series;

    public JobHealthFamily(List<JobHealthRule> rules, long lookbackMs, long restartGraceMs) {
        this.rules = List.copyOf(rules);
        this.context = new EvaluationContext(lookbackMs, restartGraceMs);
        for (JobHealthRule rule : rules) {
            for (String metric : rule.metrics()) {
                retentionMs.merge(metric, rule.rangeMs() + lookbackMs, Math::max);
            }
        }
    }

    @Override
    public boolean reads(ScopeLevel level, String metric) {
        return switch (level) {
            case JOB -> retentionMs.containsKey(metric);
            case TASK ->
                    metric.equals(FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME)
                            && retentionMs.containsKey(metric);
            case OPERATOR -> false;
        };
    }

    @Override
    public void open(RuntimeContext runtime, StateCount series) {
        this.series = series;
        runs = runtime.getMapState(runsState());
    }

    private static MapStateDescriptor<String, JobHealthState> runsState() {
        return new MapStateDescriptor<>(
                "job-series-by-run", Types.STRING, TypeInformation.of(JobHealthState.class));
    }

    /** One series per run: its job-level metrics (and checkpoint alignment) together. */
    @Override
    public List<MapStateDescriptor<String, ?>> seriesStates() {
        return List.of(runsState());
    }

    @Override
    public void absorb(MetricSnapshot snapshot) throws Exception {
        ScopeLevel level = snapshot.scope().level();
        if (level == ScopeLevel.OPERATOR
                || (level == ScopeLevel.TASK
                        && !snapshot.metrics()
                                .containsKey(FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME))) {
            return;
        }
        String jobId = snapshot.job().id();
        JobHealthState job = runs.get(jobId);
        if (job == null) {
            job = new JobHealthState();
            series.add(1);
        }
        job.absorb(snapshot);
        runs.put(jobId, job);
    }

    @Override
    public void evaluate(long time, JobRuns.Evaluated run, List<RuleOutcome> holding)
            throws Exception {
        JobHealthState job = runs.get(run.jobId());
        if (job == null) {
            return;
        }
        for (JobHealthRule rule : rules) {
            rule.evaluate(job, time, context, holding);
        }
    }

    @Override
    public void evict(long time) throws Exception {
        for (Iterator<Map.Entry<String, JobHealthState>> it = runs.iterator(); it.hasNext(); ) {
            Map.Entry<String, JobHealthState> entry = it.next();
            JobHealthState job = entry.getValue();
            job.evict(time, metric -> retentionMs.getOrDefault(metric, context.lookbackMs()));
            entry.setValue(job);
        }
    }

    @Override
    public void forgetRun(String jobId) throws Exception {
        if (runs.contains(jobId)) {
            runs.remove(jobId);
            series.add(-1);
        }
    }

    @Override
    public void forget(long time, TimerService timers) throws Exception {
        long dropped = 0;
        for (String ignored : runs.keys()) {
            dropped++;
        }
        series.add(-dropped);
        runs.clear();
    }
}

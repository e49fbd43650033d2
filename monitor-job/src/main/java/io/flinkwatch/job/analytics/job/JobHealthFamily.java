package io.flinkwatch.job.analytics.job;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.MetricFamily;
import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimerService;

/**
 * The job-level series of a monitored job and the {@link JobHealthRule}s over them: status,
 * uptime, checkpoints, state size, and the tasks' barrier alignment. Each metric is kept only as
 * far back as the rules that read it look.
 */
public final class JobHealthFamily implements MetricFamily {

    private static final long serialVersionUID = 1L;

    private final List<JobHealthRule> rules;
    private final EvaluationContext context;
    private final Map<String, Long> retentionMs = new HashMap<>();

    private transient ValueState<JobHealthState> state;

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
            case TASK -> metric.equals(FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME) && retentionMs.containsKey(metric);
            case OPERATOR -> false;
        };
    }

    @Override
    public void open(RuntimeContext runtime) {
        state = runtime.getState(new ValueStateDescriptor<>("job-series", TypeInformation.of(JobHealthState.class)));
    }

    @Override
    public void absorb(MetricSnapshot snapshot) throws Exception {
        ScopeLevel level = snapshot.scope().level();
        if (level == ScopeLevel.OPERATOR
                || (level == ScopeLevel.TASK
                        && !snapshot.metrics().containsKey(FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME))) {
            return;
        }
        JobHealthState job = state.value();
        if (job == null) {
            job = new JobHealthState();
        }
        job.absorb(snapshot);
        state.update(job);
    }

    @Override
    public long newestSample() throws Exception {
        JobHealthState job = state.value();
        return job == null ? Long.MIN_VALUE : job.newestSample;
    }

    @Override
    public void evaluate(long time, List<RuleOutcome> holding) throws Exception {
        JobHealthState job = state.value();
        if (job == null) {
            return;
        }
        for (JobHealthRule rule : rules) {
            rule.evaluate(job, time, context, holding);
        }
    }

    @Override
    public void evict(long time) throws Exception {
        JobHealthState job = state.value();
        if (job != null) {
            job.evict(time, metric -> retentionMs.getOrDefault(metric, context.lookbackMs()));
            state.update(job);
        }
    }

    @Override
    public void forget(long time, TimerService timers) {
        state.clear();
    }
}

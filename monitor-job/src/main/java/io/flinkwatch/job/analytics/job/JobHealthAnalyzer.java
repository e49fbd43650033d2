package io.flinkwatch.job.analytics.job;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.EvaluationGrid;
import io.flinkwatch.job.analytics.GridAnalyzer;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Analytics of the job-level series of each monitored job (keyed by cluster and job name):
 * evaluates the {@link JobHealthRule}s on the evaluation grid.
 */
public final class JobHealthAnalyzer extends GridAnalyzer<MetricSnapshot> {

    private static final long serialVersionUID = 1L;

    private final List<JobHealthRule> rules;
    private final long retentionMs;

    private transient ValueState<JobHealthState> state;

    public JobHealthAnalyzer(EvaluationGrid grid, List<JobHealthRule> rules) {
        super(grid);
        this.rules = List.copyOf(rules);
        long longestRange = rules.stream().mapToLong(JobHealthRule::rangeMs).max().orElse(0);
        this.retentionMs = Math.max(longestRange, grid.stalenessMs());
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "job-series", TypeInformation.of(JobHealthState.class)));
    }

    @Override
    protected long absorb(MetricSnapshot snapshot) throws Exception {
        JobHealthState job = state.value();
        if (job == null) {
            job = new JobHealthState();
        }
        job.absorb(snapshot);
        state.update(job);
        return snapshot.timestamp();
    }

    @Override
    protected long newestSample() throws Exception {
        JobHealthState job = state.value();
        return job == null ? Long.MIN_VALUE : job.newestSample;
    }

    @Override
    protected List<RuleOutcome> evaluate(long time) throws Exception {
        JobHealthState job = state.value();
        List<RuleOutcome> holding = new ArrayList<>();
        for (JobHealthRule rule : rules) {
            rule.evaluate(job, time, grid.stalenessMs(), holding);
        }
        return holding;
    }

    @Override
    protected void evict(long time) throws Exception {
        JobHealthState job = state.value();
        job.evict(time, metric -> retentionMs);
        state.update(job);
    }

    @Override
    protected void forgetSeries(long time) {
        state.clear();
    }
}

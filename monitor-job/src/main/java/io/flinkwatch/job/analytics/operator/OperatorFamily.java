package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.JobRuns;
import io.flinkwatch.job.analytics.MetricFamily;
import io.flinkwatch.job.analytics.operator.OperatorRule.OperatorView;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.metrics.StateCount;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The operator metrics of a monitored job and the {@link OperatorRule}s over them: consumer lag,
 * commit lag and RocksDB compactions per operator and subtask, for each run (job id) of the name.
 */
public final class OperatorFamily implements MetricFamily {

    private static final long serialVersionUID = 1L;

    private final List<OperatorRule> rules;
    private final long rangeMs;
    private final long lookbackMs;

    /** What is kept of each run besides its operators, by job id. */
    private transient MapState<String, OperatorJob> jobs;

    /** Operator samples by {@code <job id><separator><vertex id>|<subtask>|<operator id>}. */
    private transient MapState<String, OperatorSamples> operators;

    private transient StateCount series;

    public OperatorFamily(List<OperatorRule> rules, long lookbackMs) {
        this.rules = List.copyOf(rules);
        this.lookbackMs = lookbackMs;
        this.rangeMs = rules.stream().mapToLong(OperatorRule::rangeMs).max().orElse(0);
    }

    @Override
    public boolean reads(ScopeLevel level, String metric) {
        return level == ScopeLevel.OPERATOR && OperatorMetricNames.isRelevant(metric);
    }

    @Override
    public void open(RuntimeContext runtime, StateCount series) {
        this.series = series;
        jobs =
                runtime.getMapState(
                        new MapStateDescriptor<>(
                                "operator-jobs-by-run",
                                Types.STRING,
                                TypeInformation.of(OperatorJob.class)));
        operators = runtime.getMapState(operatorsState());
    }

    private static MapStateDescriptor<String, OperatorSamples> operatorsState() {
        return new MapStateDescriptor<>(
                "operator-series-by-run", Types.STRING, TypeInformation.of(OperatorSamples.class));
    }

    @Override
    public List<MapStateDescriptor<String, ?>> seriesStates() {
        return List.of(operatorsState());
    }

    @Override
    public void absorb(MetricSnapshot snapshot) throws Exception {
        if (snapshot.scope().level() != ScopeLevel.OPERATOR || snapshot.metrics().isEmpty()) {
            return;
        }
        String jobId = snapshot.job().id();
        OperatorJob current = jobs.get(jobId);
        // Unchanged by a snapshot at an instant already seen: the state holds it as it is.
        if (current == null || snapshot.timestamp() > current.newestSample) {
            if (current == null) {
                current = new OperatorJob();
            }
            current.cluster = snapshot.cluster();
            current.jobName = snapshot.job().name();
            current.newestSample = snapshot.timestamp();
            current.jobId = snapshot.job().id();
            jobs.put(jobId, current);
        }
        String key =
                JobKeys.runPrefix(jobId)
                        + snapshot.scope().vertexId()
                        + "|"
                        + snapshot.scope().subtask()
                        + "|"
                        + snapshot.scope().operatorId();
        OperatorSamples samples = operators.get(key);
        if (samples == null) {
            samples = new OperatorSamples();
            series.add(1);
        }
        samples.add(snapshot);
        operators.put(key, samples);
    }

    @Override
    public void evaluate(long time, JobRuns.Evaluated run, List<RuleOutcome> holding)
            throws Exception {
        OperatorJob current = jobs.get(run.jobId());
        if (current == null) {
            return;
        }
        String prefix = JobKeys.runPrefix(run.jobId());
        Map<String, OperatorSamples> ordered = new TreeMap<>();
        for (Map.Entry<String, OperatorSamples> entry : operators.entries()) {
            if (entry.getKey().startsWith(prefix)) {
                ordered.put(entry.getKey(), entry.getValue());
            }
        }
        OperatorView view =
                new OperatorView(
                        current.cluster,
                        current.jobName,
                        current.jobId,
                        List.copyOf(ordered.values()));
        for (OperatorRule rule : rules) {
            rule.evaluate(view, time, lookbackMs, holding);
        }
    }

    @Override
    public void evict(long time) throws Exception {
        for (Iterator<Map.Entry<String, OperatorSamples>> it = operators.iterator();
                it.hasNext(); ) {
            Map.Entry<String, OperatorSamples> entry = it.next();
            OperatorSamples samples = entry.getValue();
            if (samples.newestTime() <= time - lookbackMs) {
                it.remove();
                series.add(-1);
            } else {
                samples.evict(time, rangeMs, lookbackMs);
                entry.setValue(samples);
            }
        }
    }

    @Override
    public void forgetRun(String jobId) throws Exception {
        jobs.remove(jobId);
        String prefix = JobKeys.runPrefix(jobId);
        for (Iterator<String> it = operators.keys().iterator(); it.hasNext(); ) {
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
        for (String ignored : operators.keys()) {
            dropped++;
        }
        series.add(-dropped);
        operators.clear();
    }
}

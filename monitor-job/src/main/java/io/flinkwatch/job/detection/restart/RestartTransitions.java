package io.flinkwatch.job.detection.restart;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.job.analytics.JobRuns;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The restarts of a monitored job (keyed by cluster and job name), for the restart-loop pattern,
 * and the end of a loop.
 *
 * <p>Job status samples wait for the watermark and are then read in event-time order, each run (job
 * id) by its own {@link RunRestarts}; every restart goes to the {@link #RESTARTS} side output,
 * keyed by the FlinkJobRestartLoop instance it counts towards. That is the job (cluster and name):
 * a resubmitted job is the same job, so its restarts before and after count together, though the
 * resubmission itself is none. While namesakes run (other runs of the name at the same time, as
 * {@link JobRuns} tells), the instance is the run: its labels carry its job id, as every alert of a
 * namesake does.
 *
 * <p>A loop ends when its job has gone {@code within} without a restart: then a RESOLVE signal for
 * the instance goes to the main output. It is sent after every last restart, fired or not; the
 * lifecycle ignores the resolution of an alert that is not firing.
 *
 * <p>A run is forgotten when a resubmission supersedes it or it sent nothing for the state
 * retention; the key holds nothing once every run is forgotten and every loop has ended.
 */
public final class RestartTransitions
        extends KeyedProcessFunction<String, JobStatusSample, AlertSignal> {

    private static final long serialVersionUID = 1L;

    /** The restarts, for {@link RestartLoopOperator}. */
    public static final OutputTag<JobRestart> RESTARTS =
            new OutputTag<>("job-restarts", TypeInformation.of(JobRestart.class));

    /**
     * The newest restart of an instance, until {@code within} has passed without another.
     *
     * @param lastRestart event time of its newest restart
     * @param labels the instance's labels
     * @param jobId the run that restarted last
     */
    public record LoopWatch(long lastRestart, Map<String, String> labels, String jobId) {}

    private final JobRestartLoop rule;
    private final long withinMs;
    private final long stalenessMs;
    private final long retentionMs;

    private transient MapState<Long, List<JobStatusSample>> pending;
    private transient ValueState<JobRuns> runs;
    private transient MapState<String, RunRestarts> restarts;
    private transient MapState<String, LoopWatch> watches;
    private transient ValueState<Long> cleanupAt;
    private transient Counter lateSamples;

    /**
     * @param staleness how long a run stays live after its newest sample, when telling namesakes
     *     apart (the analytics' series staleness)
     * @param retention a run that sent nothing for this long is forgotten
     */
    public RestartTransitions(JobRestartLoop rule, Duration staleness, Duration retention) {
        this.rule = rule;
        this.withinMs = rule.within().toMillis();
        this.stalenessMs = staleness.toMillis();
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-status-samples",
                                        Types.LONG,
                                        new ListTypeInfo<>(
                                                TypeInformation.of(JobStatusSample.class))));
        runs =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "job-runs", TypeInformation.of(JobRuns.class)));
        restarts =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "restarts-by-run",
                                        Types.STRING,
                                        TypeInformation.of(RunRestarts.class)));
        watches =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "loop-watches",
                                        Types.STRING,
                                        TypeInformation.of(LoopWatch.class)));
        cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup", Types.LONG));
        lateSamples =
                getRuntimeContext().getMetricGroup().counter(FlinkwatchMetrics.LATE_STATUS_SAMPLES);
    }

    @Override
    public void processElement(JobStatusSample sample, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        JobRuns known = runs.value();
        if (known == null) {
            known = new JobRuns();
        }
        known.seen(sample.jobId(), sample.timestamp());
        runs.update(known);
        long at = sample.timestamp();
        long watermark = ctx.timerService().currentWatermark();
        if (at <= watermark) {
            // Restarts must reach the pattern ahead of its watermark: a late sample is read at the
            // next instant (its restart dated then).
            lateSamples.inc();
            at = watermark + 1;
        }
        List<JobStatusSample> atTime = pending.get(at);
        if (atTime == null) {
            atTime = new ArrayList<>();
        }
        atTime.add(sample);
        pending.put(at, atTime);
        ctx.timerService().registerEventTimeTimer(at);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out)
            throws Exception {
        List<JobStatusSample> due = pending.get(time);
        if (due != null) {
            pending.remove(time);
            due.sort(
                    Comparator.comparingLong(JobStatusSample::timestamp)
                            .thenComparing(JobStatusSample::jobId));
            for (JobStatusSample sample : due) {
                read(sample, time, ctx);
            }
        }
        endQuietLoops(time, out);
        Long cleanup = cleanupAt.value();
        if (due != null || (cleanup != null && cleanup <= time)) {
            forgetRetired(time, ctx);
        }
    }

    private void read(JobStatusSample sample, long time, OnTimerContext ctx) throws Exception {
        RunRestarts run = restarts.get(sample.jobId());
        if (run == null) {
            run = new RunRestarts();
        }
        RunRestarts.Seen seen =
                run.observe(
                        sample.timestamp(),
                        sample.state(),
                        sample.numRestarts(),
                        sample.failureCause());
        restarts.put(sample.jobId(), run);
        if (seen.restarts() == 0) {
            return;
        }
        Map<String, String> labels = labels(sample, time);
        String fingerprint = Fingerprint.of(labels);
        // More restarts than make a loop add nothing to the pattern.
        int count = Math.min(seen.restarts(), rule.restarts());
        for (int i = 0; i < count; i++) {
            ctx.output(
                    RESTARTS,
                    new JobRestart(
                            fingerprint,
                            labels,
                            sample.jobId(),
                            time,
                            i == 0 ? seen.outageSince() : RunRestarts.NOT_DOWN,
                            run.failureCause));
        }
        watches.put(fingerprint, new LoopWatch(time, labels, sample.jobId()));
        ctx.timerService().registerEventTimeTimer(time + withinMs);
    }

    /** The instance's labels: the job's, and the run's id while namesakes run. */
    private Map<String, String> labels(JobStatusSample sample, long time) throws Exception {
        Map<String, String> labels =
                new TreeMap<>(AlertInstances.job(rule, sample.cluster(), sample.jobName()));
        JobRuns known = runs.value();
        if (known != null) {
            for (JobRuns.Evaluated run : known.evaluated(time, stalenessMs)) {
                if (run.jobId().equals(sample.jobId()) && run.namesakes()) {
                    labels.put(AlertLabels.JOB_ID, sample.jobId());
                }
            }
        }
        return labels;
    }

    /** Resolves the loops whose job has gone {@code within} without a restart. */
    private void endQuietLoops(long time, Collector<AlertSignal> out) throws Exception {
        List<Map.Entry<String, LoopWatch>> ended = new ArrayList<>();
        for (Map.Entry<String, LoopWatch> entry : watches.entries()) {
            if (entry.getValue().lastRestart() + withinMs <= time) {
                ended.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        ended.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, LoopWatch> entry : ended) {
            LoopWatch watch = entry.getValue();
            watches.remove(entry.getKey());
            out.collect(
                    new AlertSignal(
                            AlertSignal.Kind.RESOLVE,
                            rule.name(),
                            entry.getKey(),
                            watch.lastRestart() + withinMs,
                            watch.lastRestart(),
                            watch.labels(),
                            watch.jobId(),
                            Evidence.builder()
                                    .fact(
                                            JobRestartLoop.LAST_RESTART,
                                            Instant.ofEpochMilli(watch.lastRestart()).toString())
                                    .build(),
                            false));
        }
    }

    /**
     * Forgets the runs a resubmission superseded and those silent for the retention, and all runs
     * once none is left; keeps a timer for the next run to fall silent.
     */
    private void forgetRetired(long time, Context ctx) throws Exception {
        JobRuns known = runs.value();
        if (known == null) {
            return;
        }
        for (String retired : known.retire(time, retentionMs)) {
            restarts.remove(retired);
        }
        if (known.isEmpty()) {
            runs.clear();
            restarts.clear();
            cleanupAt.clear();
            return;
        }
        runs.update(known);
        long silentSince = Long.MAX_VALUE;
        for (JobRuns.JobRun run : known.runs.values()) {
            silentSince = Math.min(silentSince, run.newestSample);
        }
        Long scheduled = cleanupAt.value();
        long next = Math.max(silentSince, time) + retentionMs;
        if (scheduled == null || scheduled <= time || next < scheduled) {
            scheduleCleanup(next, ctx);
        }
    }

    private void scheduleCleanup(long at, Context ctx) throws Exception {
        cleanupAt.update(at);
        ctx.timerService().registerEventTimeTimer(at);
    }
}

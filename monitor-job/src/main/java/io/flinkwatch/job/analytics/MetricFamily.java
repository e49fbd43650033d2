package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.metrics.StateCount;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.TimerService;

/**
 * One family of metrics of a monitored job and the rules over it (job health, task flow,
 * operators). The {@link JobAnalytics} operator keeps the families of a job together under one key
 * and drives them: it passes them snapshots, evaluates them on the grid, and tells them when their
 * data went stale. A family keeps its series in keyed state it registers itself.
 */
public interface MetricFamily extends Serializable {

    /** Whether the family reads this metric at this level (the splitter forwards only those). */
    boolean reads(ScopeLevel level, String metric);

    /** Whether the family reads the job graph. */
    default boolean readsTopology() {
        return false;
    }

    /**
     * Registers the family's keyed state.
     *
     * @param series the subtask's count of sample series, which the family moves as it adds and
     *     drops entries of its {@link #seriesStates()}
     */
    void open(RuntimeContext context, StateCount series) throws Exception;

    /**
     * The keyed map states whose entries are the family's sample series (one per run, subtask or
     * operator subtask): counted for the {@code watchedSeries} gauge after a restore. Equal to the
     * descriptors the family registers.
     */
    List<MapStateDescriptor<String, ?>> seriesStates();

    /**
     * Stores what the family reads of a snapshot (of the current key), apart from the samples of
     * other runs (job ids) of the same name.
     */
    void absorb(MetricSnapshot snapshot) throws Exception;

    /**
     * Evaluates the family's rules on the samples of one run at an evaluation instant: adds the
     * instances that hold.
     */
    void evaluate(long time, JobRuns.Evaluated run, List<RuleOutcome> holding) throws Exception;

    /** Drops samples no rule will read again after {@code time}. */
    void evict(long time) throws Exception;

    /** A run ended or was resubmitted: drop its samples (what the name keeps stays). */
    void forgetRun(String jobId) throws Exception;

    /**
     * Every run of the key went stale: drop their state. A family with long-lived state (baselines)
     * keeps it and may set an event-time timer off the evaluation grid to expire it later.
     */
    void forget(long time, TimerService timers) throws Exception;

    /** An event-time timer off the grid fired; families expire what they keep for long. */
    default void housekeeping(long time) throws Exception {}
}

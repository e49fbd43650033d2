package io.flinkwatch.job.analytics.job;

import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.List;
import java.util.Set;

/** A rule over the job-level series of one job. */
public interface JobHealthRule extends Rule {

    /**
     * The metrics the rule reads (the splitter forwards only these). Task-level metrics in this set
     * ({@code checkpointAlignmentTime}) are forwarded from task snapshots.
     */
    Set<String> metrics();

    /** How far back, in milliseconds, the rule reads its metrics. */
    long rangeMs();

    /**
     * Adds an outcome to {@code holding} for each instance whose condition holds at {@code time}.
     *
     * @param context what the rule may need besides the job's series
     */
    void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding);

    /**
     * What rules share at an evaluation.
     *
     * @param lookbackMs a sample older than this is stale
     * @param restartGraceMs after a job (re)starts, trends and throughput wait this long
     */
    record EvaluationContext(long lookbackMs, long restartGraceMs)
            implements java.io.Serializable {}
}

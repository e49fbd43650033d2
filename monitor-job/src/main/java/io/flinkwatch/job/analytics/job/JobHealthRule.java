package io.flinkwatch.job.analytics.job;

import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.List;
import java.util.Set;

/** A rule over the job-level series of one job. */
public interface JobHealthRule extends Rule {

    /** The job-level metrics the rule reads (the splitter forwards only these). */
    Set<String> metrics();

    /** How far back, in milliseconds, the rule reads its metrics. */
    long rangeMs();

    /**
     * Adds an outcome to {@code holding} for each instance whose condition holds at {@code time}.
     *
     * @param lookback a sample older than this is stale
     */
    void evaluate(JobHealthState job, long time, long lookback, List<RuleOutcome> holding);
}

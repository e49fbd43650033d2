package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.List;

/** A rule over the operator metrics of one job. */
public interface OperatorRule extends Rule {

    /** How far back the rule reads, in milliseconds. */
    long rangeMs();

    /** Adds an outcome to {@code holding} for each instance whose condition holds. */
    void evaluate(OperatorView view, long time, long lookbackMs, List<RuleOutcome> holding);

    /**
     * The operators of one job at an evaluation.
     *
     * @param cluster cluster
     * @param jobName job name
     * @param jobId newest job id
     * @param operators one entry per operator and subtask
     */
    record OperatorView(
            String cluster, String jobName, String jobId, List<OperatorSamples> operators) {}
}

package io.flinkwatch.job.analytics.flow;

import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.List;

/** A rule over the task metrics of one job. */
public interface TaskFlowRule extends Rule {

    /** Adds an outcome to {@code holding} for each instance whose condition holds. */
    void evaluate(TaskFlowView view, long time, List<RuleOutcome> holding);
}

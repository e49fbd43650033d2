package io.flinkwatch.job.detection;

import java.util.Map;

/**
 * An alert instance whose condition held at the last evaluation.
 *
 * @param rule the alert name
 * @param sustainForMs how long the condition must hold before the alert fires
 * @param since event time of the first evaluation of the run
 * @param labels identifying labels
 * @param jobId the job id at the last evaluation
 */
public record TrackedCondition(
        String rule, long sustainForMs, long since, Map<String, String> labels, String jobId) {}

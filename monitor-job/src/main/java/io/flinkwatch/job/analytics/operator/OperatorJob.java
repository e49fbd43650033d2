package io.flinkwatch.job.analytics.operator;

/**
 * What the operator analytics keep about a job besides its operators.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class OperatorJob {
    public String cluster;
    public String jobName;
    public String jobId;
    public long newestSample = Long.MIN_VALUE;
}

package io.flinkwatch.job.analytics.flow;

import io.flinkwatch.ingest.snapshot.Topology;

/**
 * What the task-flow analytics keep about a job besides its subtasks.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class TaskFlowJob {
    public String cluster;
    public String jobName;
    public String jobId;
    public long newestSample = Long.MIN_VALUE;
    public Topology topology;
    public long topologyTime = Long.MIN_VALUE;
}

package io.flinkwatch.job.analytics.flow;

import io.flinkwatch.ingest.snapshot.Topology;
import io.flinkwatch.job.analytics.baseline.ThroughputBaseline;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What the task-flow rules see at one evaluation: the newest task metrics of each subtask of a job,
 * the job graph, and each vertex's throughput with its baseline.
 *
 * @param cluster cluster name
 * @param jobName job name
 * @param jobId the newest job id seen
 * @param topology the job graph, or null when the publisher sends none
 * @param vertices the subtasks of each vertex with metrics, by vertex id, in a fixed order
 * @param throughput each vertex's throughput, by vertex id
 */
public record TaskFlowView(
        String cluster,
        String jobName,
        String jobId,
        @Nullable Topology topology,
        Map<String, List<Subtask>> vertices,
        Map<String, VertexThroughput> throughput) {

    /**
     * The newest task metrics of one subtask.
     *
     * @param vertexId vertex id
     * @param vertexName vertex name
     * @param subtask subtask index
     * @param busy busyTimeMsPerSecond (NaN if absent)
     * @param backPressured backPressuredTimeMsPerSecond, 1000 when flagged isBackPressured
     * @param in numRecordsInPerSecond
     * @param out numRecordsOutPerSecond
     * @param warmingUp whether the subtask's current attempt started within the restart grace
     */
    public record Subtask(
            String vertexId,
            String vertexName,
            int subtask,
            double busy,
            double backPressured,
            double in,
            double out,
            boolean warmingUp) {}

    /**
     * A vertex's throughput and what is expected of it.
     *
     * @param vertexId vertex id
     * @param vertexName vertex name (baselines are kept by name, so they survive resubmission)
     * @param source whether the vertex is a source (its rate is records out, not in)
     * @param sink whether the vertex is a sink (its subtasks' rate is records in)
     * @param rate records per second, summed over the subtasks
     * @param expected the baseline before this evaluation, or null without enough history
     * @param warmingUp whether a subtask is within the restart grace (no verdict, no baseline
     *     update)
     */
    public record VertexThroughput(
            String vertexId,
            String vertexName,
            boolean source,
            boolean sink,
            double rate,
            @Nullable ThroughputBaseline.Estimate expected,
            boolean warmingUp) {}
}

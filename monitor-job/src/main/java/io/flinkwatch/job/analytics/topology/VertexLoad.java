package io.flinkwatch.job.analytics.topology;

/**
 * How loaded one vertex is, from its subtasks.
 *
 * @param vertexId vertex id
 * @param vertexName vertex name
 * @param maxBusyMsPerSecond the busiest subtask's busyTimeMsPerSecond
 * @param maxBackPressuredMsPerSecond the most backpressured subtask's backPressuredTimeMsPerSecond
 *     (a subtask reporting isBackPressured counts as 1000)
 */
public record VertexLoad(
        String vertexId,
        String vertexName,
        double maxBusyMsPerSecond,
        double maxBackPressuredMsPerSecond) {

    public boolean backpressured(double thresholdMsPerSecond) {
        return maxBackPressuredMsPerSecond > thresholdMsPerSecond;
    }
}

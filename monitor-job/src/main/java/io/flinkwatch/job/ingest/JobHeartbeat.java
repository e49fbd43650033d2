package io.flinkwatch.job.ingest;

import javax.annotation.Nullable;

/**
 * A sign of life of a monitored job: some snapshot of it was seen at {@code timestamp}.
 *
 * @param cluster cluster name
 * @param jobName job name
 * @param jobId job id at that time
 * @param timestamp event time of the snapshot
 * @param status the job status, when the snapshot carried it
 */
public record JobHeartbeat(
        String cluster, String jobName, String jobId, long timestamp, @Nullable String status) {}

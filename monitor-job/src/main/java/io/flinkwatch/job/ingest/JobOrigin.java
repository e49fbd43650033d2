package io.flinkwatch.job.ingest;

/**
 * Where a watched job's snapshots come from: the metrics topic and partition they were read from.
 * Emitted when a job is first seen by a router subtask, or moves to another partition.
 */
public record JobOrigin(String cluster, String jobName, String topic, int partition) {}

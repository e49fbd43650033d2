package io.flinkwatch.ingest.snapshot;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The monitored job a snapshot belongs to.
 *
 * @param id Flink job id (changes when the job is resubmitted)
 * @param name job name (stable across resubmissions: alerts and baselines are kept by name)
 * @param status Flink job status ({@code RUNNING}, {@code RESTARTING}, ...) when the publisher
 *     knows it
 * @param checkpointIntervalMs the job's checkpoint interval when the publisher knows it; 0 or
 *     negative means checkpointing is disabled
 * @param failureCause why the job last failed (its root exception, one line) when the publisher
 *     knows it
 */
public record JobRef(
        String id,
        String name,
        @Nullable String status,
        @Nullable Long checkpointIntervalMs,
        @Nullable String failureCause) {

    public JobRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
    }

    /** A job without a known failure cause. */
    public JobRef(
            String id, String name, @Nullable String status, @Nullable Long checkpointIntervalMs) {
        this(id, name, status, checkpointIntervalMs, null);
    }

    public static JobRef of(String id, String name) {
        return new JobRef(id, name, null, null);
    }
}

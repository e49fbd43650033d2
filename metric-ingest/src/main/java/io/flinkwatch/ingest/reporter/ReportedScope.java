package io.flinkwatch.ingest.reporter;

import io.flinkwatch.ingest.snapshot.Scope;
import java.util.Objects;

/**
 * The job and scope one Flink metric group belongs to: what one snapshot describes.
 *
 * @param jobId Flink job id
 * @param jobName job name
 * @param scope job, task subtask or operator subtask
 */
public record ReportedScope(String jobId, String jobName, Scope scope) {

    public ReportedScope {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(scope, "scope");
    }
}

package io.flinkwatch.ingest.rest;

import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.ingest.snapshot.Topology;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What the JobManager's REST API tells about a job that its metrics do not: status, job graph and
 * checkpoint interval.
 *
 * @param id job id
 * @param name job name
 * @param status Flink job status, e.g. {@code RUNNING}
 * @param topology the job graph (vertices and their inputs)
 * @param checkpointIntervalMs the checkpoint interval; 0 when checkpointing is off; null if unknown
 */
public record JobDetails(
        String id,
        String name,
        String status,
        Topology topology,
        @Nullable Long checkpointIntervalMs) {

    public JobDetails {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(topology, "topology");
    }

    /**
     * The job as job-level snapshots carry it: with its status (if Flink's) and checkpoint
     * interval.
     */
    public JobRef jobRef() {
        return new JobRef(
                id, name, JobStatuses.ALL.contains(status) ? status : null, checkpointIntervalMs);
    }

    /** The job graph, or null when the JobManager gave none. */
    @Nullable
    public Topology knownTopology() {
        return topology.vertices().isEmpty() ? null : topology;
    }

    /** The name of a vertex, or {@code fallback} when the graph does not have it. */
    public String vertexName(String vertexId, String fallback) {
        for (Topology.Vertex vertex : topology.vertices()) {
            if (vertex.id().equals(vertexId)) {
                return vertex.name();
            }
        }
        return fallback;
    }
}

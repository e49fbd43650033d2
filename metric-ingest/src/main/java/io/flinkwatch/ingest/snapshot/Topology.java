package io.flinkwatch.ingest.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * The job graph of a monitored job: its vertices and, for each, the vertices it reads from.
 * Backpressure analysis walks it to find the bottleneck.
 */
public record Topology(List<Vertex> vertices) {

    public Topology {
        Objects.requireNonNull(vertices, "vertices");
    }

    /**
     * One job vertex (a chain of operators that runs as one task).
     *
     * @param id vertex id, as in {@link Scope#vertexId()}
     * @param name vertex name, as in {@link Scope#vertexName()}
     * @param parallelism number of subtasks
     * @param inputs ids of the vertices this one reads from; empty for sources
     */
    public record Vertex(String id, String name, int parallelism, List<String> inputs) {

        public Vertex {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(inputs, "inputs");
        }
    }
}

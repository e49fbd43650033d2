package io.flinkwatch.ingest.snapshot;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Where in a job a snapshot was taken.
 *
 * <p>Job-level snapshots carry no vertex; task-level ones carry the vertex and subtask; operator
 * ones also carry the operator.
 *
 * @param level the metric group level
 * @param vertexId job vertex id (Flink's {@code task_id}); null at job level
 * @param vertexName job vertex name (Flink's {@code task_name}); null at job level
 * @param subtask subtask index, or -1 at job level
 * @param attempt execution attempt number of the subtask (grows on every restart), or -1 if unknown
 * @param operatorId operator id; only at operator level
 * @param operatorName operator name; only at operator level
 */
public record Scope(
        ScopeLevel level,
        @Nullable String vertexId,
        @Nullable String vertexName,
        int subtask,
        int attempt,
        @Nullable String operatorId,
        @Nullable String operatorName) {

    private static final Scope JOB = new Scope(ScopeLevel.JOB, null, null, -1, -1, null, null);

    public Scope {
        Objects.requireNonNull(level, "level");
    }

    public static Scope job() {
        return JOB;
    }

    public static Scope task(String vertexId, String vertexName, int subtask, int attempt) {
        return new Scope(ScopeLevel.TASK, vertexId, vertexName, subtask, attempt, null, null);
    }

    public static Scope operator(
            String vertexId,
            String vertexName,
            int subtask,
            int attempt,
            String operatorId,
            String operatorName) {
        return new Scope(
                ScopeLevel.OPERATOR,
                vertexId,
                vertexName,
                subtask,
                attempt,
                operatorId,
                operatorName);
    }
}

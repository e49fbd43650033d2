package io.flinkwatch.ingest.reporter;

import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Maps a Flink metric group, given by its scope variables and logical scope, to the snapshot scope
 * and the metric name relative to it.
 *
 * <p>The level comes from the variables Flink sets ({@code <job_id>}, {@code <task_id>}, {@code
 * <operator_id>}, ...), so it does not depend on the cluster's configured scope formats. The name
 * is the logical scope below the level's own group plus the metric name; key-value groups (such as
 * the Kafka source's {@code topic.<t>.partition.<p>}) have only their key in the logical scope, so
 * their values are put back from the variables: {@code
 * KafkaSourceReader.topic.orders.partition.0.currentOffset}.
 */
public final class ScopeMapping {

    static final String JOB_SCOPE = "jobmanager.job";
    static final String TASK_SCOPE = "taskmanager.job.task";
    static final String OPERATOR_SCOPE = "taskmanager.job.task.operator";

    private static final Set<String> SCOPE_VARIABLES =
            Set.of(
                    "host",
                    "tm_id",
                    "job_id",
                    "job_name",
                    "task_id",
                    "task_name",
                    "subtask_index",
                    "task_attempt_id",
                    "task_attempt_num",
                    "operator_id",
                    "operator_name");

    private ScopeMapping() {}

    /**
     * The scope of a metric group, or null for groups outside any job task or job (JobManager and
     * TaskManager process metrics, the TaskManager's per-job group, operator coordinators).
     */
    @Nullable
    public static ReportedScope scopeOf(Map<String, String> variables) {
        String jobId = variables.get("<job_id>");
        String jobName = variables.get("<job_name>");
        if (jobId == null || jobName == null) {
            return null;
        }
        String vertexId = variables.get("<task_id>");
        if (vertexId == null) {
            if (variables.containsKey("<tm_id>") || variables.containsKey("<operator_id>")) {
                return null;
            }
            return new ReportedScope(jobId, bounded(jobName), Scope.job());
        }
        String vertexName = bounded(variables.getOrDefault("<task_name>", vertexId));
        int subtask = parseInt(variables.get("<subtask_index>"), 0);
        int attempt = parseInt(variables.get("<task_attempt_num>"), -1);
        String operatorId = variables.get("<operator_id>");
        if (operatorId == null) {
            return new ReportedScope(
                    jobId, bounded(jobName), Scope.task(vertexId, vertexName, subtask, attempt));
        }
        String operatorName = bounded(variables.getOrDefault("<operator_name>", operatorId));
        return new ReportedScope(
                jobId,
                bounded(jobName),
                Scope.operator(vertexId, vertexName, subtask, attempt, operatorId, operatorName));
    }

    /**
     * The metric's name relative to its scope's own group, or null if the logical scope does not
     * belong to that scope (a group this mapping does not know).
     */
    @Nullable
    public static String nameOf(
            ReportedScope scope,
            String logicalScope,
            Map<String, String> variables,
            String metricName) {
        String base =
                switch (scope.scope().level()) {
                    case JOB -> JOB_SCOPE;
                    case TASK -> TASK_SCOPE;
                    case OPERATOR -> OPERATOR_SCOPE;
                };
        if (logicalScope.equals(base)) {
            return metricName;
        }
        if (!logicalScope.startsWith(base + ".")) {
            return null;
        }
        StringBuilder name = new StringBuilder(logicalScope.length() + metricName.length() + 16);
        for (String component : logicalScope.substring(base.length() + 1).split("\\.")) {
            name.append(component).append('.');
            String value =
                    SCOPE_VARIABLES.contains(component)
                            ? null
                            : variables.get("<" + component + ">");
            if (value != null) {
                name.append(value).append('.');
            }
        }
        return name.append(metricName).toString();
    }

    private static int parseInt(@Nullable String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Names longer than the wire format allows are cut, so that a snapshot is never rejected for
     * them.
     */
    static String bounded(String name) {
        return name.length() <= SnapshotLimits.MAX_STRING_LENGTH
                ? name
                : name.substring(0, SnapshotLimits.MAX_STRING_LENGTH);
    }
}

package io.flinkwatch.ingest.snapshot;

/** The level of a Flink metric group a snapshot was taken from. */
public enum ScopeLevel {
    /** Job-level metrics of the JobManager: uptime, checkpoints, restarts. */
    JOB("job"),
    /** Metrics of one subtask of a job vertex (task): throughput, busy and backpressured time. */
    TASK("task"),
    /** Metrics of one operator within a subtask: connector metrics such as consumer lag. */
    OPERATOR("operator");

    private final String wireName;

    ScopeLevel(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the JSON wire format. */
    public String wireName() {
        return wireName;
    }

    /** The level for a wire name, or {@code null} if there is none. */
    public static ScopeLevel fromWireName(String name) {
        for (ScopeLevel level : values()) {
            if (level.wireName.equals(name)) {
                return level;
            }
        }
        return null;
    }
}

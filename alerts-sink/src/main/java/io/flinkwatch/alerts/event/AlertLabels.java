package io.flinkwatch.alerts.event;

/** Names of the labels alerts carry. */
public final class AlertLabels {

    public static final String ALERTNAME = "alertname";
    public static final String SEVERITY = "severity";
    public static final String CLUSTER = "cluster";
    public static final String JOB_NAME = "job_name";

    /** Informational: the job id when the event was made. Not part of an alert's identity. */
    public static final String JOB_ID = "job_id";

    public static final String TASK_NAME = "task_name";
    public static final String SUBTASK_INDEX = "subtask_index";
    public static final String OPERATOR_NAME = "operator_name";

    private AlertLabels() {}
}

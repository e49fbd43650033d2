package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.AlertLabels;
import java.util.Map;
import java.util.TreeMap;

/** Builds the identifying labels of alert instances. */
public final class AlertInstances {

    private AlertInstances() {}

    /** Labels of an alert about a whole job. */
    public static Map<String, String> job(Rule rule, String cluster, String jobName) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(AlertLabels.ALERTNAME, rule.name());
        labels.put(AlertLabels.SEVERITY, rule.severity().label());
        labels.put(AlertLabels.CLUSTER, cluster);
        labels.put(AlertLabels.JOB_NAME, jobName);
        return labels;
    }

    /** Labels of an alert about one job vertex (task). */
    public static Map<String, String> vertex(
            Rule rule, String cluster, String jobName, String taskName) {
        Map<String, String> labels = job(rule, cluster, jobName);
        labels.put(AlertLabels.TASK_NAME, taskName);
        return labels;
    }

    /** Labels of an alert about one subtask of a job vertex. */
    public static Map<String, String> subtask(
            Rule rule, String cluster, String jobName, String taskName, int subtask) {
        Map<String, String> labels = vertex(rule, cluster, jobName, taskName);
        labels.put(AlertLabels.SUBTASK_INDEX, Integer.toString(subtask));
        return labels;
    }

    /** Labels of an alert about one operator in one subtask. */
    public static Map<String, String> operator(
            Rule rule,
            String cluster,
            String jobName,
            String taskName,
            int subtask,
            String operatorName) {
        Map<String, String> labels = subtask(rule, cluster, jobName, taskName, subtask);
        labels.put(AlertLabels.OPERATOR_NAME, operatorName);
        return labels;
    }
}

package io.flinkwatch.alerts.event;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One event on the alerts topic: an alert starts ({@link AlertStatus#FIRING}) or ends ({@link
 * AlertStatus#RESOLVED}). Its JSON form is described in {@code docs/alert-format.md}.
 *
 * @param alertname the rule, e.g. {@code FlinkJobNotRunning}
 * @param severity critical or warning
 * @param status firing or resolved
 * @param labels identifying labels (alertname, severity, cluster, job_name, and task_name,
 *     subtask_index or operator_name where relevant) plus job_id
 * @param annotations summary, description and runbook
 * @param startsAt when the alert started firing, epoch milliseconds of event time
 * @param endsAt when it stopped, for resolved events; null while firing
 * @param fingerprint identity of the alert instance: the same for its FIRING and RESOLVED events
 * @param groupKey key of the group of related alerts (by default one monitored job)
 * @param evidence the values that made the condition hold
 */
public record AlertEvent(
        String alertname,
        Severity severity,
        AlertStatus status,
        Map<String, String> labels,
        Map<String, String> annotations,
        long startsAt,
        @Nullable Long endsAt,
        String fingerprint,
        String groupKey,
        Evidence evidence) {

    public AlertEvent {
        Objects.requireNonNull(alertname, "alertname");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(annotations, "annotations");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(groupKey, "groupKey");
        Objects.requireNonNull(evidence, "evidence");
    }

    public String label(String name) {
        return labels.get(name);
    }

    /** The event time at which this event happened: the start for FIRING, the end for RESOLVED. */
    public long eventTime() {
        return status == AlertStatus.RESOLVED && endsAt != null ? endsAt : startsAt;
    }
}

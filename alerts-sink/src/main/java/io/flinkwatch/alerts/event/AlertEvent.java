package io.flinkwatch.alerts.event;

import java.util.List;
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
 * @param reason why this event was published
 * @param updatedAt event time of this event: when the alert started, was re-notified, suppressed,
 *     released or resolved
 * @param inhibitedBy the alerts that inhibit this one; empty unless it is suppressed
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
        Evidence evidence,
        AlertReason reason,
        long updatedAt,
        List<InhibitingAlert> inhibitedBy) {

    public AlertEvent {
        Objects.requireNonNull(alertname, "alertname");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(annotations, "annotations");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(groupKey, "groupKey");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(reason, "reason");
        inhibitedBy = List.copyOf(inhibitedBy);
        if ((status == AlertStatus.RESOLVED) != (reason == AlertReason.RESOLVED)) {
            throw new IllegalArgumentException(
                    "status " + status + " does not go with reason " + reason);
        }
    }

    /** True when another alert inhibits this one: consumers should not page for it. */
    public boolean suppressed() {
        return !inhibitedBy.isEmpty();
    }

    public String label(String name) {
        return labels.get(name);
    }

    /** The event time at which this event happened: the start for FIRING, the end for RESOLVED. */
    public long eventTime() {
        return status == AlertStatus.RESOLVED && endsAt != null ? endsAt : startsAt;
    }
}

package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.detection.ConditionEvaluation;
import java.util.Map;
import java.util.Objects;

/**
 * What detection tells the alert lifecycle: an alert instance's condition has been sustained long
 * enough to fire, it has stopped holding, or it has started holding again (which keeps an alert
 * that is waiting out its resolve hold from resolving).
 *
 * @param kind fire, resolve, raise, or retire
 * @param rule the alert name
 * @param fingerprint identity of the alert instance
 * @param timestamp event time at which the alert fires or resolves
 * @param activeSince event time since which the condition has held (for {@link Kind#FIRE})
 * @param labels identifying labels
 * @param jobId the monitored job's id
 * @param evidence the values behind the signal
 * @param immediate true when the signal was raised by the wall clock rather than by event time (a
 *     job whose metrics stopped while event time stands still); the lifecycle applies it on arrival
 *     instead of waiting for the watermark
 */
public record AlertSignal(
        Kind kind,
        String rule,
        String fingerprint,
        long timestamp,
        long activeSince,
        Map<String, String> labels,
        String jobId,
        Evidence evidence,
        boolean immediate) {

    /** What happened to the alert instance's condition. */
    public enum Kind {
        /** Held for its whole duration: the alert fires. */
        FIRE,
        /** Stopped holding. */
        RESOLVE,
        /** Started holding (not yet for its duration). */
        RAISE,
        /**
         * The job sent nothing for the state retention: every open alert of it resolves at once (no
         * resolve hold), saying so in its evidence, and the lifecycle forgets the job.
         */
        RETIRE
    }

    public AlertSignal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** The condition held long enough: the alert fires at the evaluation's time. */
    public static AlertSignal fire(ConditionEvaluation sustained, long activeSince) {
        return new AlertSignal(
                Kind.FIRE,
                sustained.rule(),
                sustained.fingerprint(),
                sustained.timestamp(),
                activeSince,
                sustained.labels(),
                sustained.jobId(),
                sustained.evidence(),
                false);
    }

    /** The condition stopped holding. */
    public static AlertSignal resolve(ConditionEvaluation cleared) {
        return new AlertSignal(
                Kind.RESOLVE,
                cleared.rule(),
                cleared.fingerprint(),
                cleared.timestamp(),
                cleared.since(),
                cleared.labels(),
                cleared.jobId(),
                cleared.evidence(),
                false);
    }

    /** The condition started holding again: an alert in its resolve hold goes on. */
    public static AlertSignal raise(ConditionEvaluation raised) {
        return new AlertSignal(
                Kind.RAISE,
                raised.rule(),
                raised.fingerprint(),
                raised.timestamp(),
                raised.timestamp(),
                raised.labels(),
                raised.jobId(),
                raised.evidence(),
                false);
    }

    /**
     * The lifecycle keeps the alerts of one monitored job name on one cluster together (inhibition
     * works within a job): the same name on two clusters is two jobs.
     */
    public String lifecycleKey() {
        return lifecycleKey(labels);
    }

    /** The lifecycle key of an alert with these labels. */
    public static String lifecycleKey(Map<String, String> labels) {
        return JobKeys.of(
                labels.getOrDefault(AlertLabels.CLUSTER, ""),
                labels.getOrDefault(AlertLabels.JOB_NAME, ""));
    }
}

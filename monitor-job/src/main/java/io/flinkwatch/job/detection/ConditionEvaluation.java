package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import java.util.Map;
import java.util.Objects;

/**
 * What one evaluation of a rule says about one alert instance, reduced to its edges: the condition
 * starts holding ({@link Kind#RAISED}), still holds ({@link Kind#HOLDING}) or stops ({@link
 * Kind#CLEARED}). Instances that neither hold nor just stopped produce nothing, so the stream stays
 * small. The sustained-condition patterns ({@link SustainedConditionPattern}) read it.
 *
 * @param rule the alert name
 * @param sustainForMs how long the rule's condition must hold before the alert fires
 * @param fingerprint identity of the alert instance
 * @param timestamp event time of the evaluation
 * @param kind the edge
 * @param since event time of the first evaluation of the current run in which the condition held
 * @param labels the instance's identifying labels
 * @param jobId the monitored job's id at this evaluation
 * @param evidence the values behind the outcome (empty for {@link Kind#CLEARED})
 */
public record ConditionEvaluation(
        String rule,
        long sustainForMs,
        String fingerprint,
        long timestamp,
        Kind kind,
        long since,
        Map<String, String> labels,
        String jobId,
        Evidence evidence) {

    /** The edge an evaluation reports. */
    public enum Kind {
        RAISED,
        HOLDING,
        CLEARED
    }

    public ConditionEvaluation {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(evidence, "evidence");
    }

    public boolean holds() {
        return kind != Kind.CLEARED;
    }
}

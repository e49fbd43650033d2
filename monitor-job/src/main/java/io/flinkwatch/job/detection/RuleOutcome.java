package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import java.util.Map;
import java.util.TreeMap;

/**
 * A rule's condition holds for one alert instance at one evaluation.
 *
 * @param rule the alert name
 * @param sustainForMs how long the condition must hold before the alert fires
 * @param labels the instance's identifying labels (including alertname and severity)
 * @param jobId the monitored job's id
 * @param evidence the values that make the condition hold
 */
public record RuleOutcome(
        String rule,
        long sustainForMs,
        Map<String, String> labels,
        String jobId,
        Evidence evidence) {

    public String fingerprint() {
        return Fingerprint.of(labels);
    }

    /**
     * The same outcome with the job id among its identifying labels: for a job that runs beside
     * namesakes, whose alerts must be told apart.
     */
    public RuleOutcome identifiedByJobId() {
        Map<String, String> identified = new TreeMap<>(labels);
        identified.put(AlertLabels.JOB_ID, jobId);
        return new RuleOutcome(rule, sustainForMs, identified, jobId, evidence);
    }
}

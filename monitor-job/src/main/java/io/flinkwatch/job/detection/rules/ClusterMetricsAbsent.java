package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.Map;

/**
 * FlinkClusterMetricsAbsent: every watched job of one cluster fell silent together. The cluster, or
 * the publisher that reports for it, is gone: one alert for the cluster instead of a
 * FlinkMetricsAbsent per job, which are held while it fires. Decided by {@code SilenceGate}.
 */
public final class ClusterMetricsAbsent extends BaseRule {

    public static final String NAME = "FlinkClusterMetricsAbsent";

    public ClusterMetricsAbsent() {
        super(NAME, Severity.CRITICAL, Duration.ZERO, Runbooks.CLUSTER_METRICS_ABSENT);
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "No metrics from any job of cluster " + labels.get("cluster");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "Every watched job of this cluster ("
                + evidence.facts().getOrDefault("jobs", "its jobs")
                + ") stopped sending snapshots at once: the cluster is down, or the publisher that"
                + " reports for it (the reporter plugin, the Prometheus bridge) stopped or cannot"
                + " reach Kafka. FlinkMetricsAbsent is held for its jobs while this fires; a job"
                + " still silent once the others are back gets its own.";
    }
}

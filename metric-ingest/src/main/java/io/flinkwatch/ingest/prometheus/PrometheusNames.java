package io.flinkwatch.ingest.prometheus;

import io.flinkwatch.ingest.reporter.ReportedScope;
import io.flinkwatch.ingest.reporter.ScopeMapping;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Maps the names of Flink's Prometheus reporter back to snapshot scopes and Flink metric names.
 *
 * <p>The reporter names a metric {@code flink_<logical scope>_<name>} with every character outside
 * {@code [a-zA-Z0-9:_]} replaced by {@code _}, and turns the scope variables into labels ({@code
 * job_id}, {@code task_id}, {@code subtask_index}, {@code operator_id}, and key-value groups such
 * as {@code topic} and {@code partition}). The scope comes back from the labels; the name is looked
 * up among the metrics Flinkwatch reads, since the replacement cannot be undone in general ({@code
 * records_lag_max} was {@code records-lag-max}). A group path in front of a known name is kept with
 * {@code _} ({@code KafkaSourceReader_KafkaConsumer.records-lag-max}): rules match on the name.
 */
public final class PrometheusNames {

    private static final String PREFIX = "flink_";
    private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9:_]");
    private static final Map<String, String> OPERATOR_NAMES = new HashMap<>();

    static {
        for (String metric : FlinkMetricNames.OPERATOR_METRICS) {
            OPERATOR_NAMES.put(sanitize(metric), metric);
        }
    }

    private PrometheusNames() {}

    /**
     * The scope and Flink metric name of a sample.
     *
     * @param scope the job, task or operator the sample belongs to
     * @param metric the metric's name as Flink names it relative to that scope
     */
    public record Mapped(ReportedScope scope, String metric) {}

    /**
     * Maps a sample, or returns null for samples outside any job (process metrics) and, unless
     * {@code allMetrics}, for metrics Flinkwatch does not read.
     */
    @Nullable
    public static Mapped map(PrometheusSample sample, boolean allMetrics) {
        Map<String, String> variables = new HashMap<>();
        sample.labels().forEach((label, value) -> variables.put("<" + label + ">", value));
        ReportedScope scope = ScopeMapping.scopeOf(variables);
        if (scope == null) {
            return null;
        }
        String prefix =
                PREFIX
                        + switch (scope.scope().level()) {
                            case JOB -> "jobmanager_job_";
                            case TASK -> "taskmanager_job_task_";
                            case OPERATOR -> "taskmanager_job_task_operator_";
                        };
        if (!sample.name().startsWith(prefix) || sample.name().length() == prefix.length()) {
            return null;
        }
        String rest = sample.name().substring(prefix.length());
        String metric =
                scope.scope().level() == ScopeLevel.OPERATOR
                        ? operatorMetric(rest, sample.labels())
                        : rest;
        if (metric == null) {
            metric = allMetrics ? rest : null;
        } else if (!allMetrics && !FlinkMetricNames.isMonitored(scope.scope().level(), metric)) {
            metric = null;
        }
        return metric == null || metric.length() > SnapshotLimits.MAX_STRING_LENGTH
                ? null
                : new Mapped(scope, metric);
    }

    /** A known operator metric, with its group path in front, or null. */
    @Nullable
    private static String operatorMetric(String rest, Map<String, String> labels) {
        for (String offset : new String[] {"currentOffset", "committedOffset"}) {
            String suffix = "topic_partition_" + offset;
            if (rest.endsWith(suffix)
                    && labels.containsKey("topic")
                    && labels.containsKey("partition")) {
                String path = rest.substring(0, rest.length() - suffix.length());
                return path.replaceAll("_$", ".")
                        + "topic."
                        + labels.get("topic")
                        + ".partition."
                        + labels.get("partition")
                        + "."
                        + offset;
            }
        }
        String exact = OPERATOR_NAMES.get(rest);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> known : OPERATOR_NAMES.entrySet()) {
            String suffix = "_" + known.getKey();
            if (rest.endsWith(suffix)) {
                return rest.substring(0, rest.length() - suffix.length()) + "." + known.getValue();
            }
        }
        return null;
    }

    /** What Flink's Prometheus reporter makes of a name. */
    static String sanitize(String name) {
        return INVALID.matcher(name).replaceAll("_");
    }
}

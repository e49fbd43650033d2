package io.flinkwatch.ingest.snapshot;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One observation of a monitored Flink job at one scope: the values of its metrics at {@code
 * timestamp}, named as Flink names them.
 *
 * <p>This is the parsed form of the versioned JSON wire format described in {@code
 * docs/snapshot-format.md}; {@link SnapshotParser} reads it and {@link SnapshotWriter} writes it.
 *
 * @param timestamp event time of the observation, epoch milliseconds
 * @param cluster name of the Flink cluster the job runs on
 * @param job the monitored job
 * @param scope where in the job the metrics were taken (job, task subtask or operator subtask)
 * @param metrics metric values by Flink metric name; booleans are carried as 1 and 0
 * @param topology the job graph, when the publisher sends it (usually on job-level snapshots)
 * @param external true when the snapshot was observed from outside the job (consumer-group lag read
 *     from Kafka) rather than reported by the job's own Flink processes: it carries metrics of the
 *     job but is no sign that the job, or its metrics reporting, is alive
 */
@TypeInfo(MetricSnapshotSerializer.Factory.class)
public record MetricSnapshot(
        long timestamp,
        String cluster,
        JobRef job,
        Scope scope,
        Map<String, Double> metrics,
        @Nullable Topology topology,
        boolean external) {

    public MetricSnapshot {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A snapshot reported by the job's own Flink processes. */
    public MetricSnapshot(
            long timestamp,
            String cluster,
            JobRef job,
            Scope scope,
            Map<String, Double> metrics,
            @Nullable Topology topology) {
        this(timestamp, cluster, job, scope, metrics, topology, false);
    }

    /** The value of a metric, or {@code null} when the snapshot does not carry it. */
    @Nullable
    public Double metric(String name) {
        return metrics.get(name);
    }

    /** The value of a metric, or {@code fallback} when the snapshot does not carry it. */
    public double metric(String name, double fallback) {
        Double value = metrics.get(name);
        return value == null ? fallback : value;
    }

    /** A copy of this snapshot carrying only the given metrics (and no topology). */
    public MetricSnapshot withMetrics(Map<String, Double> selected) {
        return new MetricSnapshot(timestamp, cluster, job, scope, selected, null, external);
    }
}

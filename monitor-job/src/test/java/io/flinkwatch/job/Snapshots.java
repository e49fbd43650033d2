package io.flinkwatch.job;

import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.Topology;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds snapshots for tests: {@code Snapshots.job("orders").at(seconds(30)).metric("uptime", 0)}.
 */
public final class Snapshots {

    public static final String CLUSTER = "prod";

    private long timestamp;
    private String cluster = CLUSTER;
    private String jobId = "job-1";
    private final String jobName;
    private String status;
    private Long checkpointIntervalMs;
    private Scope scope = Scope.job();
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private Topology topology;
    private boolean external;

    private Snapshots(String jobName) {
        this.jobName = jobName;
    }

    public static Snapshots job(String jobName) {
        return new Snapshots(jobName);
    }

    /** Seconds since an arbitrary origin, as milliseconds. */
    public static long seconds(double seconds) {
        return Math.round(seconds * 1000);
    }

    public Snapshots at(long timestamp) {
        this.timestamp = timestamp;
        return this;
    }

    public Snapshots cluster(String cluster) {
        this.cluster = cluster;
        return this;
    }

    public Snapshots jobId(String jobId) {
        this.jobId = jobId;
        return this;
    }

    public Snapshots status(String status) {
        this.status = status;
        return this;
    }

    public Snapshots checkpointInterval(long ms) {
        this.checkpointIntervalMs = ms;
        return this;
    }

    public Snapshots task(String vertex, int subtask, int attempt) {
        this.scope = Scope.task(vertex, vertex, subtask, attempt);
        return this;
    }

    public Snapshots operator(String vertex, int subtask, int attempt, String operator) {
        this.scope = Scope.operator(vertex, vertex, subtask, attempt, operator, operator);
        return this;
    }

    public Snapshots metric(String name, double value) {
        metrics.put(name, value);
        return this;
    }

    public Snapshots topology(Topology topology) {
        this.topology = topology;
        return this;
    }

    /** Observed from outside the job, as the consumer-group lag poller's snapshots are. */
    public Snapshots external() {
        this.external = true;
        return this;
    }

    public MetricSnapshot build() {
        return new MetricSnapshot(
                timestamp,
                cluster,
                new JobRef(jobId, jobName, status, checkpointIntervalMs),
                scope,
                new LinkedHashMap<>(metrics),
                topology,
                external);
    }
}

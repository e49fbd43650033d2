package io.flinkwatch.job.ingest;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each snapshot to the analytics families that read it, each with only the metrics it
 * reads (side outputs), and emits a {@link JobHeartbeat} for the absence detector. Heartbeats are
 * thinned to one per job and timestamp: a TaskManager reports all its subtasks at one instant.
 */
public final class SnapshotSplitter extends ProcessFunction<MetricSnapshot, JobHeartbeat> {

    private static final long serialVersionUID = 1L;

    /** Job-level snapshots, projected to the metrics the job-health rules read. */
    public static final OutputTag<MetricSnapshot> JOB_HEALTH =
            new OutputTag<>("job-health", TypeInformation.of(MetricSnapshot.class));

    /** Bounds the heartbeat-thinning memory; forgetting only means one extra heartbeat. */
    private static final int MAX_REMEMBERED_JOBS = 100_000;

    private final Set<String> jobHealthMetrics;

    private transient Map<String, Long> lastHeartbeat;

    public SnapshotSplitter(Set<String> jobHealthMetrics) {
        this.jobHealthMetrics = Set.copyOf(jobHealthMetrics);
    }

    @Override
    public void open(OpenContext openContext) {
        lastHeartbeat = new HashMap<>();
    }

    @Override
    public void processElement(MetricSnapshot snapshot, Context ctx, Collector<JobHeartbeat> out) {
        heartbeat(snapshot, out);
        if (snapshot.scope().level() == ScopeLevel.JOB && !jobHealthMetrics.isEmpty()) {
            MetricSnapshot projected = project(snapshot, jobHealthMetrics);
            if (!projected.metrics().isEmpty() || snapshot.job().status() != null) {
                ctx.output(JOB_HEALTH, projected);
            }
        }
    }

    private void heartbeat(MetricSnapshot snapshot, Collector<JobHeartbeat> out) {
        String key = JobKeys.of(snapshot);
        Long last = lastHeartbeat.get(key);
        if (last != null && last >= snapshot.timestamp() && snapshot.job().status() == null) {
            return;
        }
        if (lastHeartbeat.size() >= MAX_REMEMBERED_JOBS) {
            lastHeartbeat.clear();
        }
        lastHeartbeat.put(key, last == null ? snapshot.timestamp() : Math.max(last, snapshot.timestamp()));
        out.collect(
                new JobHeartbeat(
                        snapshot.cluster(),
                        snapshot.job().name(),
                        snapshot.job().id(),
                        snapshot.timestamp(),
                        snapshot.job().status()));
    }

    static MetricSnapshot project(MetricSnapshot snapshot, Set<String> wanted) {
        Map<String, Double> selected = new HashMap<>();
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            if (wanted.contains(metric.getKey())) {
                selected.put(metric.getKey(), metric.getValue());
            }
        }
        return snapshot.withMetrics(selected);
    }
}

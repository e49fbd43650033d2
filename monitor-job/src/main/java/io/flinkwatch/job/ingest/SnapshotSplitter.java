package io.flinkwatch.job.ingest;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.MetricFamily;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Emits a {@link JobHeartbeat} for the absence detector for every snapshot the job's own Flink
 * processes reported (not for {@linkplain MetricSnapshot#external() external} ones, such as
 * consumer-group lag read from Kafka, which keep coming when the job is gone), and sends the
 * analytics (side output {@link #ANALYTICS}) each snapshot cut down to the metrics some family
 * reads, so that only those cross the network. Heartbeats are thinned to one per job and timestamp:
 * a TaskManager reports all its subtasks at one instant.
 */
public final class SnapshotSplitter extends ProcessFunction<MetricSnapshot, JobHeartbeat> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<MetricSnapshot> ANALYTICS =
            new OutputTag<>("analytics", TypeInformation.of(MetricSnapshot.class));

    /** Bounds the heartbeat-thinning memory; forgetting only means one extra heartbeat. */
    private static final int MAX_REMEMBERED_JOBS = 100_000;

    /**
     * Bounds the memory of which names some family reads; forgetting only means asking again.
     * Operator metric names carry topics and partitions, so there is no fixed set of them.
     */
    private static final int MAX_REMEMBERED_NAMES = 10_000;

    private final List<MetricFamily> families;
    private final boolean topologyRead;

    private transient Map<String, Long> lastHeartbeat;

    /** Whether some family reads a metric name, by scope level: asked once per name. */
    private transient Map<ScopeLevel, Map<String, Boolean>> read;

    /** The previous heartbeat's job and time: a TaskManager reports a job's subtasks together. */
    private transient String lastCluster;

    private transient String lastJobName;
    private transient long lastTimestamp;

    public SnapshotSplitter(List<MetricFamily> families) {
        this.families = List.copyOf(families);
        this.topologyRead = families.stream().anyMatch(MetricFamily::readsTopology);
    }

    @Override
    public void open(OpenContext openContext) {
        lastHeartbeat = new HashMap<>();
        read = new EnumMap<>(ScopeLevel.class);
        for (ScopeLevel level : ScopeLevel.values()) {
            read.put(level, new HashMap<>());
        }
    }

    @Override
    public void processElement(MetricSnapshot snapshot, Context ctx, Collector<JobHeartbeat> out) {
        heartbeat(snapshot, out);
        MetricSnapshot projected = project(snapshot);
        boolean jobLevel = snapshot.scope().level() == ScopeLevel.JOB;
        if (!projected.metrics().isEmpty()
                || projected.topology() != null
                || (jobLevel && snapshot.job().status() != null && !families.isEmpty())) {
            ctx.output(ANALYTICS, projected);
        }
    }

    private MetricSnapshot project(MetricSnapshot snapshot) {
        Map<String, Boolean> readAtLevel = read.get(snapshot.scope().level());
        Map<String, Double> metrics = snapshot.metrics();
        int selectedCount = 0;
        for (String metric : metrics.keySet()) {
            if (reads(readAtLevel, snapshot.scope().level(), metric)) {
                selectedCount++;
            }
        }
        boolean topologyKept = topologyRead || snapshot.topology() == null;
        if (selectedCount == metrics.size() && topologyKept) {
            return snapshot;
        }
        Map<String, Double> selected = new HashMap<>();
        if (selectedCount > 0) {
            for (Map.Entry<String, Double> metric : metrics.entrySet()) {
                if (reads(readAtLevel, snapshot.scope().level(), metric.getKey())) {
                    selected.put(metric.getKey(), metric.getValue());
                }
            }
        }
        return new MetricSnapshot(
                snapshot.timestamp(),
                snapshot.cluster(),
                snapshot.job(),
                snapshot.scope(),
                selected,
                topologyRead ? snapshot.topology() : null,
                snapshot.external());
    }

    private boolean reads(Map<String, Boolean> readAtLevel, ScopeLevel level, String metric) {
        Boolean known = readAtLevel.get(metric);
        if (known == null) {
            known = false;
            for (MetricFamily family : families) {
                if (family.reads(level, metric)) {
                    known = true;
                    break;
                }
            }
            if (readAtLevel.size() >= MAX_REMEMBERED_NAMES) {
                readAtLevel.clear();
            }
            readAtLevel.put(metric, known);
        }
        return known;
    }

    private void heartbeat(MetricSnapshot snapshot, Collector<JobHeartbeat> out) {
        if (snapshot.external()) {
            return;
        }
        if (snapshot.job().status() == null
                && snapshot.timestamp() <= lastTimestamp
                && snapshot.job().name().equals(lastJobName)
                && snapshot.cluster().equals(lastCluster)) {
            // The job's newest heartbeat is at least this late already.
            return;
        }
        String key = JobKeys.of(snapshot);
        Long last = lastHeartbeat.get(key);
        if (last != null && last >= snapshot.timestamp() && snapshot.job().status() == null) {
            return;
        }
        if (lastHeartbeat.size() >= MAX_REMEMBERED_JOBS) {
            lastHeartbeat.clear();
        }
        long newest = last == null ? snapshot.timestamp() : Math.max(last, snapshot.timestamp());
        lastHeartbeat.put(key, newest);
        lastCluster = snapshot.cluster();
        lastJobName = snapshot.job().name();
        lastTimestamp = newest;
        out.collect(
                new JobHeartbeat(
                        snapshot.cluster(),
                        snapshot.job().name(),
                        snapshot.job().id(),
                        snapshot.timestamp(),
                        snapshot.job().status()));
    }
}

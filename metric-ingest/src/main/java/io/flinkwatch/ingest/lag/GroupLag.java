package io.flinkwatch.ingest.lag;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lag of one consumer group, poll after poll: per partition a {@link PartitionHistory}, and per
 * topic one snapshot with the group's lag (records behind on its worst partition and in all, the
 * estimate in seconds, and the consumption rate).
 *
 * <p>Snapshots are {@linkplain MetricSnapshot#external() external}: they are read from Kafka, not
 * reported by the job, so they say nothing about whether the job is alive. Their scope is an
 * operator named after the topic in a vertex named after the group, under the job's name, so that
 * FlinkLagGrowing applies to them and a job that is down inhibits their alerts. Not thread-safe.
 */
public final class GroupLag {

    /** Offsets of one partition at one poll; {@code committed} below 0 when the group has none. */
    public record Offsets(long end, long committed) {}

    private final String group;
    private final String jobName;
    private final long historyMs;
    private final long rateWindowMs;
    private final Map<String, PartitionHistory> partitions = new HashMap<>();

    public GroupLag(String group, String jobName, long historyMs, long rateWindowMs) {
        this.group = group;
        this.jobName = jobName;
        this.historyMs = historyMs;
        this.rateWindowMs = rateWindowMs;
    }

    public String group() {
        return group;
    }

    public String jobName() {
        return jobName;
    }

    /**
     * Takes one poll's offsets, by topic and partition, and returns a snapshot per topic.
     * Partitions without a committed offset are left out: the group has not consumed them yet.
     */
    public Map<String, MetricSnapshot> poll(
            long time, String cluster, String jobId, Map<String, Map<Integer, Offsets>> offsets) {
        Map<String, MetricSnapshot> snapshots = new TreeMap<>();
        partitions
                .keySet()
                .removeIf(
                        key ->
                                !offsets.containsKey(topicOf(key))
                                        || !offsets.get(topicOf(key))
                                                .containsKey(partitionOf(key)));
        for (Map.Entry<String, Map<Integer, Offsets>> topic : offsets.entrySet()) {
            long maxLag = -1;
            long totalLag = 0;
            double maxSeconds = Double.NaN;
            double consumed = 0;
            boolean rateKnown = false;
            for (Map.Entry<Integer, Offsets> partition : topic.getValue().entrySet()) {
                Offsets at = partition.getValue();
                String key = topic.getKey() + '\u0000' + partition.getKey();
                if (at.committed() < 0) {
                    partitions.remove(key);
                    continue;
                }
                PartitionHistory history =
                        partitions.computeIfAbsent(key, k -> new PartitionHistory());
                history.add(time, at.end(), at.committed(), historyMs);
                long lag = history.lagRecords();
                maxLag = Math.max(maxLag, lag);
                totalLag += lag;
                double seconds = history.lagSeconds();
                if (!Double.isNaN(seconds) && (Double.isNaN(maxSeconds) || seconds > maxSeconds)) {
                    maxSeconds = seconds;
                }
                double rate = history.consumedPerSecond(rateWindowMs);
                if (!Double.isNaN(rate)) {
                    consumed += rate;
                    rateKnown = true;
                }
            }
            if (maxLag < 0) {
                continue;
            }
            Map<String, Double> metrics = new HashMap<>();
            metrics.put(FlinkMetricNames.RECORDS_LAG_MAX, (double) maxLag);
            metrics.put(FlinkMetricNames.CONSUMER_GROUP_LAG, (double) totalLag);
            if (!Double.isNaN(maxSeconds)) {
                metrics.put(FlinkMetricNames.CONSUMER_GROUP_LAG_SECONDS, maxSeconds);
            }
            if (rateKnown) {
                metrics.put(FlinkMetricNames.RECORDS_CONSUMED_RATE, consumed);
            }
            snapshots.put(
                    topic.getKey(),
                    new MetricSnapshot(
                            time,
                            cluster,
                            JobRef.of(jobId, jobName),
                            scope(topic.getKey()),
                            metrics,
                            null,
                            true));
        }
        return snapshots;
    }

    /** The scope of the group's lag on one topic. */
    public Scope scope(String topic) {
        return Scope.operator(
                "consumer-group:" + group,
                "Kafka consumer group " + group,
                0,
                -1,
                "topic:" + topic,
                topic);
    }

    private static String topicOf(String key) {
        return key.substring(0, key.indexOf('\u0000'));
    }

    private static int partitionOf(String key) {
        return Integer.parseInt(key.substring(key.indexOf('\u0000') + 1));
    }
}

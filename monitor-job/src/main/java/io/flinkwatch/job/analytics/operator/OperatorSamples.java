package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.SampleWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * The series of one operator in one subtask that the operator rules read: consumer lag, commit lag
 * (consumed offset minus committed offset, summed over partitions), consumption rate, RocksDB's
 * pending compactions (the maximum over column families) and, from the consumer-group lag poller,
 * its estimate of the lag in seconds.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class OperatorSamples {

    public String vertexName;
    public int subtask;
    public String operatorName;

    public SampleWindow lag = new SampleWindow();
    public SampleWindow commitLag = new SampleWindow();
    public SampleWindow consumedRate = new SampleWindow();
    public SampleWindow compactionPending = new SampleWindow();
    public SampleWindow lagSeconds = new SampleWindow();

    public void add(MetricSnapshot snapshot) {
        vertexName = snapshot.scope().vertexName();
        subtask = snapshot.scope().subtask();
        operatorName = snapshot.scope().operatorName();
        long time = snapshot.timestamp();
        double lagMax = Double.NaN;
        double rate = Double.NaN;
        double compaction = Double.NaN;
        double seconds = Double.NaN;
        Map<String, double[]> offsets = new HashMap<>();
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            String name = metric.getKey();
            double value = metric.getValue();
            if (OperatorMetricNames.isLag(name)) {
                lagMax = max(lagMax, value);
            } else if (OperatorMetricNames.isConsumedRate(name)) {
                rate = max(rate, value);
            } else if (OperatorMetricNames.isCompactionPending(name)) {
                compaction = max(compaction, value);
            } else if (OperatorMetricNames.isLagSeconds(name)) {
                seconds = max(seconds, value);
            } else {
                OperatorMetricNames.PartitionOffset offset =
                        OperatorMetricNames.partitionOffset(name);
                if (offset != null) {
                    double[] pair =
                            offsets.computeIfAbsent(
                                    offset.partition(), k -> new double[] {Double.NaN, Double.NaN});
                    pair[offset.committed() ? 1 : 0] = value;
                }
            }
        }
        if (!Double.isNaN(lagMax) && lagMax >= 0) {
            lag.add(time, lagMax);
        }
        if (!Double.isNaN(rate)) {
            consumedRate.add(time, rate);
        }
        if (!Double.isNaN(compaction)) {
            compactionPending.add(time, compaction);
        }
        if (!Double.isNaN(seconds) && seconds >= 0) {
            lagSeconds.add(time, seconds);
        }
        double behind = 0;
        boolean any = false;
        for (double[] pair : offsets.values()) {
            // A committed offset below 0 means nothing was committed yet: no commit lag to speak
            // of.
            if (pair[0] >= 0 && pair[1] >= 0) {
                behind += Math.max(0, pair[0] - pair[1]);
                any = true;
            }
        }
        if (any) {
            commitLag.add(time, behind);
        }
    }

    public long newestTime() {
        return Math.max(
                Math.max(
                        Math.max(lag.newestTime(), commitLag.newestTime()),
                        lagSeconds.newestTime()),
                Math.max(consumedRate.newestTime(), compactionPending.newestTime()));
    }

    public void evict(long time, long rangeMs, long lookbackMs) {
        // Later evaluations read (t - range, t] with t > time, and the newest lag within the
        // lookback.
        long keepAfter = time - Math.max(rangeMs, lookbackMs);
        lag.evictAtOrBefore(keepAfter);
        commitLag.evictAtOrBefore(keepAfter);
        consumedRate.evictAtOrBefore(time - lookbackMs);
        compactionPending.evictAtOrBefore(time - lookbackMs);
        lagSeconds.evictAtOrBefore(time - lookbackMs);
    }

    private static double max(double current, double value) {
        return Double.isNaN(current) ? value : Math.max(current, value);
    }
}

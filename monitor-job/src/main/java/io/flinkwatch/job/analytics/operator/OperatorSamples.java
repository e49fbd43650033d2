package io.flinkwatch.job.analytics.operator;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.SampleWindow;
import io.flinkwatch.job.analytics.math.RefreshedTrend;
import java.util.HashMap;
import java.util.Map;

/**
 * The series of one operator in one subtask that the operator rules read: consumer lag ({@code
 * records-lag-max} and {@code pendingRecords}), the source's lag in time ({@code
 * currentEmitEventTimeLag}), commit lag (consumed offset minus committed offset, summed over
 * partitions), the records consumed (from the consumed offsets), RocksDB's pending compactions (the
 * maximum over column families) and, from the consumer-group lag poller, its consumption rate and
 * its estimate of the lag in seconds.
 *
 * <p>The consumer's own {@code records-consumed-rate} is not kept: it counts fetches, and a
 * backpressured consumer fetches rarely, so it reads 0 between fetches while the job consumes. What
 * the source consumed is read from its offsets instead, which it moves per record emitted.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO. Fields added later keep their initial
 * value when a savepoint without them is restored (Flink's POJO serializer builds the object with
 * its constructor and sets only the fields it knows).
 */
public final class OperatorSamples {

    public String vertexName;
    public int subtask;
    public String operatorName;

    /** Observed from outside the job: the lag poller's offsets of a consumer group. */
    public boolean external;

    public SampleWindow lag = new SampleWindow();
    public SampleWindow commitLag = new SampleWindow();

    /** The lag poller's consumption rate (committed records per second); external only. */
    public SampleWindow consumedRate = new SampleWindow();

    public SampleWindow compactionPending = new SampleWindow();
    public SampleWindow lagSeconds = new SampleWindow();

    /** {@code pendingRecords}: records available to the source and not yet read, per FLIP-33. */
    public SampleWindow pending = new SampleWindow();

    /** {@code currentEmitEventTimeLag}, in seconds. */
    public SampleWindow emitLag = new SampleWindow();

    /**
     * Records consumed since the operator was first seen: a running total of how far the consumed
     * offsets moved, so that its slope is the consumption rate (see {@link #consumedPerSecond}).
     */
    public SampleWindow consumed = new SampleWindow();

    /** Which partitions the newest offset sum covers: a hash of their set, 0 for none yet. */
    public long offsetPartitions;

    /** The sum of the newest consumed offsets over {@link #offsetPartitions}. */
    public double offsetSum = Double.NaN;

    /** The running total {@link #consumed} holds last. */
    public double consumedTotal;

    public void add(MetricSnapshot snapshot) {
        vertexName = snapshot.scope().vertexName();
        subtask = snapshot.scope().subtask();
        operatorName = snapshot.scope().operatorName();
        external = snapshot.external();
        long time = snapshot.timestamp();
        double lagMax = Double.NaN;
        double rate = Double.NaN;
        double compaction = Double.NaN;
        double seconds = Double.NaN;
        double pendingRecords = Double.NaN;
        double emitLagMs = Double.NaN;
        Map<String, double[]> offsets = new HashMap<>();
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            String name = metric.getKey();
            double value = metric.getValue();
            if (OperatorMetricNames.isLag(name)) {
                lagMax = max(lagMax, value);
            } else if (OperatorMetricNames.isPendingRecords(name)) {
                pendingRecords = max(pendingRecords, value);
            } else if (OperatorMetricNames.isEmitLag(name)) {
                emitLagMs = max(emitLagMs, value);
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
        if (!Double.isNaN(rate) && snapshot.external()) {
            consumedRate.add(time, rate);
        }
        if (!Double.isNaN(pendingRecords) && pendingRecords >= 0) {
            pending.add(time, pendingRecords);
        }
        // Flink reports a negative lag until the source has emitted a record with a timestamp.
        if (!Double.isNaN(emitLagMs) && emitLagMs >= 0) {
            emitLag.add(time, emitLagMs / 1000.0);
        }
        if (!Double.isNaN(compaction)) {
            compactionPending.add(time, compaction);
        }
        if (!Double.isNaN(seconds) && seconds >= 0) {
            lagSeconds.add(time, seconds);
        }
        addConsumed(time, offsets);
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

    /**
     * Adds to the running total of records consumed how far the consumed offsets moved since the
     * previous sample. Only a move over the same partitions counts: a partition assigned to or
     * taken from the subtask (a rescale of the monitored job) changes the sum without any
     * consumption, and an offset that went back (a restore from a checkpoint) consumed nothing.
     */
    private void addConsumed(long time, Map<String, double[]> offsets) {
        if (offsets.isEmpty() || time <= consumed.newestTime()) {
            return;
        }
        double sum = 0;
        long partitions = 0;
        for (Map.Entry<String, double[]> offset : offsets.entrySet()) {
            double current = offset.getValue()[0];
            if (!(current >= 0)) {
                return;
            }
            sum += current;
            // Order-independent: the same set of partitions gives the same hash in any order.
            partitions += mix(offset.getKey().hashCode());
        }
        if (partitions == offsetPartitions && !Double.isNaN(offsetSum)) {
            consumedTotal += Math.max(0, sum - offsetSum);
        }
        offsetPartitions = partitions;
        offsetSum = sum;
        consumed.add(time, consumedTotal);
    }

    /**
     * Records consumed per second over {@code (time - window, time]}, from the consumed offsets
     * (or, for the lag poller's snapshots, the rate it measured): NaN when unknown, which is not
     * zero.
     */
    public double consumedPerSecond(long time, long window, long lookbackMs) {
        double polled = consumedRate.latest(time, lookbackMs);
        if (!Double.isNaN(polled)) {
            return polled;
        }
        int last = consumed.lastIndexAtOrBefore(time);
        int first = consumed.lastIndexAtOrBefore(time - window);
        if (last < 0 || consumed.timeAt(last) <= time - lookbackMs) {
            return Double.NaN;
        }
        // The sample at or before the window's start, or the oldest one within it.
        first = Math.max(first, 0);
        long span = consumed.timeAt(last) - consumed.timeAt(first);
        if (span <= 0) {
            return Double.NaN;
        }
        return (consumed.valueAt(last) - consumed.valueAt(first)) * 1000.0 / span;
    }

    /**
     * Whether the source consumed between its two newest samples within the lookback: its offsets
     * moved.
     */
    public boolean consumingNow(long time, long lookbackMs) {
        int last = consumed.lastIndexAtOrBefore(time);
        return last >= 1
                && consumed.timeAt(last) > time - lookbackMs
                && consumed.valueAt(last) > consumed.valueAt(last - 1);
    }

    public long newestTime() {
        long newest =
                Math.max(
                        Math.max(
                                Math.max(lag.newestTime(), commitLag.newestTime()),
                                lagSeconds.newestTime()),
                        Math.max(consumedRate.newestTime(), compactionPending.newestTime()));
        return Math.max(
                newest,
                Math.max(
                        Math.max(pending.newestTime(), emitLag.newestTime()),
                        consumed.newestTime()));
    }

    /**
     * How a refresh of the lag's stale part moves it ({@link
     * io.flinkwatch.job.analytics.math.RefreshedTrend}): the poller's lag is read against committed
     * offsets, which drop it at each commit; a consumer's against the log end it learned at its
     * last fetch, which raises it at each fetch.
     */
    public RefreshedTrend.Refresh lagRefresh() {
        return external ? RefreshedTrend.Refresh.DROPS : RefreshedTrend.Refresh.RISES;
    }

    public void evict(long time, long rangeMs, long lookbackMs) {
        // Later evaluations read (t - range, t] with t > time, and the newest sample within the
        // lookback; a lag judged by its refreshes also the range before that.
        long refreshedAfter = time - Math.max(2 * rangeMs, lookbackMs);
        long keepAfter = time - Math.max(rangeMs, lookbackMs);
        lag.evictAtOrBefore(refreshedAfter);
        commitLag.evictAtOrBefore(refreshedAfter);
        pending.evictAtOrBefore(refreshedAfter);
        emitLag.evictAtOrBefore(keepAfter);
        consumed.evictAtOrBefore(keepAfter);
        consumedRate.evictAtOrBefore(time - lookbackMs);
        compactionPending.evictAtOrBefore(time - lookbackMs);
        lagSeconds.evictAtOrBefore(time - lookbackMs);
    }

    /** A 64-bit finalizer (SplitMix64's), so that sums of different sets rarely collide. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double max(double current, double value) {
        return Double.isNaN(current) ? value : Math.max(current, value);
    }
}

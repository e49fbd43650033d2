package io.flinkwatch.job.analytics.flow;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.BACK_PRESSURED_TIME_MS_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.BUSY_TIME_MS_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.IS_BACK_PRESSURED;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import java.util.Arrays;
import java.util.Objects;

/**
 * The recent task metrics of one subtask: a handful of samples (those after the last evaluation and
 * the newest before it), each with busy, backpressured, in and out rates (NaN when absent). It also
 * remembers when the subtask's current execution attempt was first seen, because Flink's per-second
 * meters are one-minute moving averages that ramp up after a (re)start.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class SubtaskSamples {

    /** Samples older than the one an evaluation reads are dropped this many at a time. */
    static final int EVICT_AT_LEAST = 4;

    public String vertexId;
    public String vertexName;
    public int subtask;
    public String jobId;
    public int attempt = -1;

    /** Event time the current job id and attempt were first seen. */
    public long attemptSince = Long.MIN_VALUE;

    public long[] times = new long[0];
    public double[] busy = new double[0];
    public double[] backPressured = new double[0];
    public double[] in = new double[0];
    public double[] out = new double[0];

    public void add(MetricSnapshot snapshot) {
        long time = snapshot.timestamp();
        vertexId = snapshot.scope().vertexId();
        vertexName = snapshot.scope().vertexName();
        subtask = snapshot.scope().subtask();
        int newAttempt = snapshot.scope().attempt();
        String newJobId = snapshot.job().id();
        if (!Objects.equals(newJobId, jobId) || newAttempt != attempt) {
            if (attemptSince == Long.MIN_VALUE || time > attemptSince) {
                jobId = newJobId;
                attempt = newAttempt;
                attemptSince = time;
            }
        } else if (time < attemptSince) {
            attemptSince = time;
        }
        double backPressure = snapshot.metric(BACK_PRESSURED_TIME_MS_PER_SECOND, Double.NaN);
        if (snapshot.metric(IS_BACK_PRESSURED, 0) >= 1) {
            backPressure = Double.isNaN(backPressure) ? 1000 : Math.max(backPressure, 1000);
        }
        int index = Arrays.binarySearch(times, time);
        if (index < 0) {
            index = -index - 1;
            times = insert(times, index, time);
            busy = insert(busy, index);
            backPressured = insert(backPressured, index);
            in = insert(in, index);
            out = insert(out, index);
        }
        busy[index] = snapshot.metric(BUSY_TIME_MS_PER_SECOND, Double.NaN);
        backPressured[index] = backPressure;
        in[index] = snapshot.metric(NUM_RECORDS_IN_PER_SECOND, Double.NaN);
        out[index] = snapshot.metric(NUM_RECORDS_OUT_PER_SECOND, Double.NaN);
    }

    /** Index of the newest sample in {@code (time - lookback, time]}, or -1. */
    public int latest(long time, long lookback) {
        int index = Arrays.binarySearch(times, time);
        index = index >= 0 ? index : -index - 2;
        return index >= 0 && times[index] > time - lookback ? index : -1;
    }

    public long newestTime() {
        return times.length == 0 ? Long.MIN_VALUE : times[times.length - 1];
    }

    /**
     * Keeps the newest sample at or before {@code time} and all later ones, dropping older ones
     * once there are {@value #EVICT_AT_LEAST} of them: reads are of the newest sample at or before
     * an instant, so older ones change no result, and the five arrays are copied every few
     * evaluations instead of at each one.
     */
    public void evict(long time) {
        int index = Arrays.binarySearch(times, time);
        int keepFrom = index >= 0 ? index : -index - 2;
        if (keepFrom >= EVICT_AT_LEAST) {
            times = Arrays.copyOfRange(times, keepFrom, times.length);
            busy = Arrays.copyOfRange(busy, keepFrom, busy.length);
            backPressured = Arrays.copyOfRange(backPressured, keepFrom, backPressured.length);
            in = Arrays.copyOfRange(in, keepFrom, in.length);
            out = Arrays.copyOfRange(out, keepFrom, out.length);
        }
    }

    private static long[] insert(long[] array, int index, long value) {
        long[] larger = new long[array.length + 1];
        System.arraycopy(array, 0, larger, 0, index);
        larger[index] = value;
        System.arraycopy(array, index, larger, index + 1, array.length - index);
        return larger;
    }

    private static double[] insert(double[] array, int index) {
        double[] larger = new double[array.length + 1];
        System.arraycopy(array, 0, larger, 0, index);
        larger[index] = Double.NaN;
        System.arraycopy(array, index, larger, index + 1, array.length - index);
        return larger;
    }
}

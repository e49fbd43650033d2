package io.flinkwatch.job.analytics;

import io.flinkwatch.job.analytics.math.CounterIncrease;
import io.flinkwatch.job.analytics.math.LeastSquares;
import io.flinkwatch.job.analytics.math.Trend;
import java.util.Arrays;

/**
 * The recent samples of one series, in time order, in exactly-sized arrays so that its state is as
 * small as its content. Evaluations read ranges that end at the evaluation time; samples that
 * arrived early (a later timestamp) stay out of earlier evaluations.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class SampleWindow {

    private static final long[] NO_TIMES = new long[0];
    private static final double[] NO_VALUES = new double[0];

    /** Stale samples are dropped once they are at least this fraction (1/n) of the window. */
    private static final int EVICT_FRACTION = 8;

    public long[] times = NO_TIMES;
    public double[] values = NO_VALUES;

    public int size() {
        return times.length;
    }

    public boolean isEmpty() {
        return times.length == 0;
    }

    /**
     * Adds a sample in time order. Two samples at the same time keep the larger value, so the
     * outcome does not depend on which arrived first.
     */
    public void add(long time, double value) {
        int index = Arrays.binarySearch(times, time);
        if (index >= 0) {
            values[index] = Math.max(values[index], value);
            return;
        }
        int insert = -index - 1;
        long[] newTimes = new long[times.length + 1];
        double[] newValues = new double[values.length + 1];
        System.arraycopy(times, 0, newTimes, 0, insert);
        System.arraycopy(values, 0, newValues, 0, insert);
        newTimes[insert] = time;
        newValues[insert] = value;
        System.arraycopy(times, insert, newTimes, insert + 1, times.length - insert);
        System.arraycopy(values, insert, newValues, insert + 1, values.length - insert);
        times = newTimes;
        values = newValues;
    }

    /** Index of the last sample at or before {@code time}, or -1. */
    public int lastIndexAtOrBefore(long time) {
        int index = Arrays.binarySearch(times, time);
        return index >= 0 ? index : -index - 2;
    }

    /** Index of the first sample after {@code time}. */
    private int firstIndexAfter(long time) {
        return lastIndexAtOrBefore(time) + 1;
    }

    /** The newest sample's time, or {@link Long#MIN_VALUE} when empty. */
    public long newestTime() {
        return times.length == 0 ? Long.MIN_VALUE : times[times.length - 1];
    }

    /**
     * The value of the newest sample in {@code (time - lookback, time]}, or NaN: a series whose
     * last sample is older than the lookback is stale (Prometheus' lookback delta).
     */
    public double latest(long time, long lookback) {
        int index = lastIndexAtOrBefore(time);
        if (index < 0 || times[index] <= time - lookback) {
            return Double.NaN;
        }
        return values[index];
    }

    /** The time of the sample {@link #latest} returns, or {@link Long#MIN_VALUE}. */
    public long latestTime(long time, long lookback) {
        int index = lastIndexAtOrBefore(time);
        if (index < 0 || times[index] <= time - lookback) {
            return Long.MIN_VALUE;
        }
        return times[index];
    }

    /** Number of samples in {@code (time - range, time]}. */
    public int count(long time, long range) {
        return firstIndexAfter(time) - firstIndexAfter(time - range);
    }

    /** PromQL {@code deriv(series[range])} at {@code time}: slope per second, or NaN. */
    public double slopePerSecond(long time, long range) {
        return LeastSquares.slopePerSecond(
                times, values, firstIndexAfter(time - range), firstIndexAfter(time));
    }

    /**
     * The least-squares slope per second of the positive samples in {@code (from, to]}, or NaN with
     * fewer than two. Gauges such as the last checkpoint's duration report 0 or -1 before the first
     * checkpoint of a run: those are "no value yet", not a value.
     */
    public double slopeOfPositivePerSecond(long from, long to) {
        int start = firstIndexAfter(from);
        int end = firstIndexAfter(to);
        int positive = 0;
        for (int i = start; i < end; i++) {
            if (values[i] > 0) {
                positive++;
            }
        }
        if (positive == end - start) {
            return LeastSquares.slopePerSecond(times, values, start, end);
        }
        long[] t = new long[positive];
        double[] v = new double[positive];
        int n = 0;
        for (int i = start; i < end; i++) {
            if (values[i] > 0) {
                t[n] = times[i];
                v[n++] = values[i];
            }
        }
        return LeastSquares.slopePerSecond(t, v, 0, n);
    }

    /**
     * The {@link Trend} of the samples in {@code (from, to]} judged against their own noise; with
     * {@code positiveOnly}, of the positive samples only (see {@link #slopeOfPositivePerSecond}).
     */
    public Trend trend(long from, long to, boolean positiveOnly) {
        int start = firstIndexAfter(from);
        int end = firstIndexAfter(to);
        if (!positiveOnly) {
            return Trend.of(times, values, start, end);
        }
        long[] t = new long[end - start];
        double[] v = new double[end - start];
        int n = 0;
        for (int i = start; i < end; i++) {
            if (values[i] > 0) {
                t[n] = times[i];
                v[n++] = values[i];
            }
        }
        return Trend.of(t, v, 0, n);
    }

    /** The value of the oldest sample in {@code (from, to]}, or NaN. */
    public double firstAfter(long from, long to) {
        int index = firstIndexAfter(from);
        return index < times.length && times[index] <= to ? values[index] : Double.NaN;
    }

    /** PromQL {@code increase(series[range])} at {@code time}, or NaN. */
    public double increase(long time, long range) {
        return CounterIncrease.increase(
                times,
                values,
                firstIndexAfter(time - range),
                firstIndexAfter(time),
                time - range,
                time);
    }

    /**
     * Drops samples at or before {@code time}, once they are at least an eighth of the window (or
     * all of it). Every read is of a range, so samples kept a little longer change no result; the
     * arrays are copied every few evaluations instead of at each one (a window of an hour of 15 s
     * samples holds 240 of them).
     */
    public void evictAtOrBefore(long time) {
        int keepFrom = firstIndexAfter(time);
        if (keepFrom == times.length) {
            clear();
        } else if (keepFrom > 0 && keepFrom >= times.length / EVICT_FRACTION) {
            times = Arrays.copyOfRange(times, keepFrom, times.length);
            values = Arrays.copyOfRange(values, keepFrom, values.length);
        }
    }

    public void clear() {
        times = NO_TIMES;
        values = NO_VALUES;
    }
}

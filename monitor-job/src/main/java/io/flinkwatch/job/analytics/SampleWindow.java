package io.flinkwatch.job.analytics;

import io.flinkwatch.job.analytics.math.CounterIncrease;
import io.flinkwatch.job.analytics.math.LeastSquares;
import io.flinkwatch.job.analytics.math.RefreshedTrend;
import io.flinkwatch.job.analytics.math.Trend;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The recent samples of one series, in time order. Evaluations read ranges that end at the
 * evaluation time; samples that arrived early (a later timestamp) stay out of earlier evaluations.
 *
 * <p>The arrays have room to grow, so that a sample is appended without copying the window (an hour
 * of 15 s samples is 240 of them); {@link SampleWindowSerializer} writes only the samples, so the
 * state is as small as its content.
 *
 * <p>Mutable; kept in keyed state by {@link SampleWindowSerializer}.
 */
@TypeInfo(SampleWindowSerializer.Factory.class)
public final class SampleWindow {

    private static final long[] NO_TIMES = new long[0];
    private static final double[] NO_VALUES = new double[0];

    /** Stale samples are dropped once they are at least this fraction (1/n) of the window. */
    private static final int EVICT_FRACTION = 8;

    /** Sample times; the first {@link #size()} entries are samples, the rest room to grow. */
    long[] times = NO_TIMES;

    double[] values = NO_VALUES;

    /**
     * How many samples there are; -1 for "all of the arrays", the shape of a window restored from a
     * savepoint taken before December 2026, when Flink kept windows as POJOs of two exactly sized
     * arrays.
     */
    private int size = -1;

    public SampleWindow() {}

    /** A window of these samples, in time order; the arrays become the window's. */
    SampleWindow(long[] times, double[] values, int size) {
        this.times = times;
        this.values = values;
        this.size = size;
    }

    public int size() {
        if (size < 0) {
            size = times.length;
        }
        return size;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The time of the sample at {@code index} (in time order). */
    public long timeAt(int index) {
        return times[checkIndex(index)];
    }

    /** The value of the sample at {@code index} (in time order). */
    public double valueAt(int index) {
        return values[checkIndex(index)];
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index + " of " + size());
        }
        return index;
    }

    /** The sample times, in order (a copy). */
    public long[] times() {
        return Arrays.copyOf(times, size());
    }

    /** The sample values, in time order (a copy). */
    public double[] values() {
        return Arrays.copyOf(values, size());
    }

    /**
     * Adds a sample in time order. Two samples at the same time keep the larger value, so the
     * outcome does not depend on which arrived first.
     */
    public void add(long time, double value) {
        int n = size();
        int index = Arrays.binarySearch(times, 0, n, time);
        if (index >= 0) {
            values[index] = Math.max(values[index], value);
            return;
        }
        int insert = -index - 1;
        if (n == times.length) {
            int capacity = n + Math.max(4, n / 2);
            times = Arrays.copyOf(times, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        System.arraycopy(times, insert, times, insert + 1, n - insert);
        System.arraycopy(values, insert, values, insert + 1, n - insert);
        times[insert] = time;
        values[insert] = value;
        size = n + 1;
    }

    /** Index of the last sample at or before {@code time}, or -1. */
    public int lastIndexAtOrBefore(long time) {
        int index = Arrays.binarySearch(times, 0, size(), time);
        return index >= 0 ? index : -index - 2;
    }

    /** Index of the first sample after {@code time}. */
    private int firstIndexAfter(long time) {
        return lastIndexAtOrBefore(time) + 1;
    }

    /** The newest sample's time, or {@link Long#MIN_VALUE} when empty. */
    public long newestTime() {
        return size() == 0 ? Long.MIN_VALUE : times[size() - 1];
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

    /** The largest value in {@code (from, to]}, or NaN without samples there. */
    public double max(long from, long to) {
        int start = firstIndexAfter(from);
        int end = firstIndexAfter(to);
        double max = Double.NaN;
        for (int i = start; i < end; i++) {
            if (Double.isNaN(max) || values[i] > max) {
                max = values[i];
            }
        }
        return max;
    }

    /**
     * The {@link RefreshedTrend} of the samples in {@code (from, to]}: judged by the readings that
     * refreshed the series, falling back on those in {@code (history, from]}.
     */
    public Trend refreshedTrend(long history, long from, long to, RefreshedTrend.Refresh refresh) {
        return RefreshedTrend.of(
                times,
                values,
                firstIndexAfter(history),
                firstIndexAfter(from),
                firstIndexAfter(to),
                refresh);
    }

    /** The value of the oldest sample in {@code (from, to]}, or NaN. */
    public double firstAfter(long from, long to) {
        int index = firstIndexAfter(from);
        return index < size() && times[index] <= to ? values[index] : Double.NaN;
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
     * all of it). Every read is of a range, so samples kept a little longer change no result, and
     * the window is shifted every few evaluations instead of at each one.
     */
    public void evictAtOrBefore(long time) {
        int n = size();
        int keepFrom = firstIndexAfter(time);
        if (keepFrom == n) {
            clear();
        } else if (keepFrom > 0 && keepFrom >= n / EVICT_FRACTION) {
            System.arraycopy(times, keepFrom, times, 0, n - keepFrom);
            System.arraycopy(values, keepFrom, values, 0, n - keepFrom);
            size = n - keepFrom;
        }
    }

    public void clear() {
        times = NO_TIMES;
        values = NO_VALUES;
        size = 0;
    }
}

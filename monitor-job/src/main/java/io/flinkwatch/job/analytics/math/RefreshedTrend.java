package io.flinkwatch.job.analytics.math;

/**
 * The trend of a lag that one stale part turns into a sawtooth, judged by its fresh readings.
 *
 * <p>A lag is the difference of two positions, and publishers often learn one of them only now and
 * then. The consumer-group lag poller reads committed offsets, which a Flink job moves only when a
 * checkpoint completes: its lag climbs with the log end between commits and drops at each commit. A
 * Kafka consumer learns the log end only when it fetches, which a backpressured consumer does every
 * few minutes: its lag falls as it consumes between fetches and jumps at each fetch. Between
 * refreshes the lag moves with the fresh part alone and says nothing about whether the job keeps
 * up: over a range holding one or two refreshes, a healthy job's sawtooth looks like growth at some
 * phases, and a job falling behind looks like one catching up at others.
 *
 * <p>A reading just after a refresh is the lag as it truly was then. The trend is fitted through
 * those readings: the ones in the range and, when the range holds fewer than {@link
 * Trend#MIN_OBSERVATIONS}, as many of the history before it as it takes. A range without any
 * refresh has no sawtooth in it and is judged on every sample; so is one whose history holds too
 * few refreshes to judge by. A series that is fresh at every sample (it refreshes in one direction
 * or the other at every step) is judged on the samples that refreshed it, the ups or the downs of
 * its jitter, which leaves a clean trend's slope as it is.
 */
public final class RefreshedTrend {

    /** Which way a refresh moves the lag. */
    public enum Refresh {
        /** The lag is read against a stale reference that a refresh catches up: it drops. */
        DROPS,
        /** The lag is read against a stale head that a refresh moves on: it rises. */
        RISES
    }

    private RefreshedTrend() {}

    /**
     * The trend of the samples {@code [from, to)}, judged by the readings that refreshed the
     * series, with the samples {@code [history, from)} before the range to fall back on.
     */
    public static Trend of(
            long[] times, double[] values, int history, int from, int to, Refresh refresh) {
        int inRange = 0;
        for (int i = Math.max(from, history + 1); i < to; i++) {
            if (refreshed(values, i, refresh)) {
                inRange++;
            }
        }
        if (inRange == 0 || overdue(times, values, history, to, refresh)) {
            return Trend.of(times, values, from, to);
        }
        int wanted = Math.max(inRange, Trend.MIN_OBSERVATIONS);
        long[] t = new long[wanted];
        double[] v = new double[wanted];
        int found = 0;
        for (int i = to - 1; i > history && found < wanted; i--) {
            if (refreshed(values, i, refresh)) {
                found++;
                t[wanted - found] = times[i];
                v[wanted - found] = values[i];
            }
        }
        if (found < Trend.MIN_OBSERVATIONS) {
            return movesOnlyAsRefreshes(values, from, to, refresh)
                    ? Trend.of(times, values, from, to)
                    : Trend.none();
        }
        return Trend.ofUneven(t, v, wanted - found, wanted);
    }

    /**
     * Whether the refreshes stopped: the newest sample came later after the last refresh than half
     * again the longest interval between two refreshes. Then the lag is no sawtooth any more, and
     * what it reads is the news: committed offsets that stop moving (checkpoints no longer
     * complete), or a lag that only falls (the job drains its backlog).
     */
    private static boolean overdue(
            long[] times, double[] values, int history, int to, Refresh refresh) {
        long last = Long.MIN_VALUE;
        long longest = 0;
        int refreshes = 0;
        for (int i = history + 1; i < to; i++) {
            if (refreshed(values, i, refresh)) {
                if (refreshes > 0) {
                    longest = Math.max(longest, times[i] - last);
                }
                last = times[i];
                refreshes++;
            }
        }
        return refreshes >= 2 && times[to - 1] - last > longest * 3 / 2;
    }

    /** Whether no sample of {@code [from, to)} moved the other way than a refresh does. */
    private static boolean movesOnlyAsRefreshes(
            double[] values, int from, int to, Refresh refresh) {
        for (int i = Math.max(from, 1); i < to; i++) {
            if (values[i] != values[i - 1] && !refreshed(values, i, refresh)) {
                return false;
            }
        }
        return true;
    }

    private static boolean refreshed(double[] values, int i, Refresh refresh) {
        return refresh == Refresh.DROPS ? values[i] < values[i - 1] : values[i] > values[i - 1];
    }
}

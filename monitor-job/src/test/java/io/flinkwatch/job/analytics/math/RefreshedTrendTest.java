package io.flinkwatch.job.analytics.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.analytics.math.RefreshedTrend.Refresh;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Sawtooth lags, as a stale part makes them on real clusters (the recordings of
 * RealLagRecordingsITCase hold real ones): judged at every phase by their refreshes and, for
 * contrast, by every sample.
 */
class RefreshedTrendTest {

    /** A sample every 15 s; ranges of 5 minutes with the 5 minutes before as history. */
    private static final long STEP = 15_000;

    private static final long RANGE = 300_000;

    private static final double NOISE_WIDTHS = 3;

    /** When the sink slows down to a fifth of the input: 10 minutes in. */
    private static final long THROTTLED_AT = 600_000;

    /** Records consumed by {@code t}: 500 a second, 100 a second once throttled if {@code slow}. */
    private static double consumed(long t, boolean slow) {
        if (!slow || t <= THROTTLED_AT) {
            return 500 * t / 1000.0;
        }
        return 500 * THROTTLED_AT / 1000.0 + 100 * (t - THROTTLED_AT) / 1000.0;
    }

    /**
     * The lag a poller reads against committed offsets: the log end moves 500 records/s, the job
     * commits every 3 minutes what it had consumed by then.
     */
    private static LongToDoubleFunction committedEvery3Minutes(boolean slow) {
        long period = 180_000;
        return t -> 500 * t / 1000.0 - consumed(t / period * period, slow);
    }

    /**
     * How many of the evaluations between 10 and 40 minutes find a significant growth (judged by
     * refreshes, or by every sample).
     */
    private static int growingEvaluations(
            LongToDoubleFunction lag, Refresh refresh, boolean byRefreshes) {
        return growingEvaluations(lag, refresh, byRefreshes, 600_000);
    }

    private static int evaluationsFrom(long first) {
        return (int) ((2_400_000 - first) / STEP) + 1;
    }

    /** The same from {@code first} to 40 minutes. */
    private static int growingEvaluations(
            LongToDoubleFunction lag, Refresh refresh, boolean byRefreshes, long first) {
        int n = (int) (2_700_000 / STEP);
        long[] times = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            times[i] = i * STEP;
            values[i] = lag.applyAsDouble(times[i]);
        }
        int growing = 0;
        for (long t = first; t <= 2_400_000; t += STEP) {
            int to = (int) (t / STEP) + 1;
            int from = (int) ((t - RANGE) / STEP) + 1;
            int history = (int) ((t - 2 * RANGE) / STEP) + 1;
            Trend trend =
                    byRefreshes
                            ? RefreshedTrend.of(times, values, history, from, to, refresh)
                            : Trend.of(times, values, from, to);
            if (trend.slopePerSecond() > 0 && trend.risesAbove(NOISE_WIDTHS)) {
                growing++;
            }
        }
        return growing;
    }

    private static final int EVALUATIONS = evaluationsFrom(600_000);

    @Test
    void aHealthySawtoothOfCommitsIsNeverGrowing() {
        // Keeping up, committing every 3 minutes: 0 → 90,000 → 0. Every sample: "growing" at
        // some phases, which keeps a firing alert from ever resolving.
        LongToDoubleFunction healthy = committedEvery3Minutes(false);

        assertThat(growingEvaluations(healthy, Refresh.DROPS, true)).isZero();
        assertThat(growingEvaluations(healthy, Refresh.DROPS, false)).isPositive();
    }

    @Test
    void aJobFallingBehindBetweenCommitsIsGrowingAtEveryPhase() {
        // Consuming 100 of 500 records/s from 10 minutes on: the backlog at each commit grows by
        // 72,000, from the second commit after the slowdown (the first still catches up what was
        // consumed fast before it).
        LongToDoubleFunction behind = committedEvery3Minutes(true);

        assertThat(growingEvaluations(behind, Refresh.DROPS, true, THROTTLED_AT + 360_000))
                .isEqualTo(evaluationsFrom(THROTTLED_AT + 360_000));
    }

    @Test
    void aConsumerThatFetchesRarelyIsGrowingAtEveryPhase() {
        // A backpressured consumer consumes 100 records/s while 500 arrive from 10 minutes on, and
        // learns the log end only when it fetches, every 45 s at first, then every 100 s, then 150
        // s: its lag jumps up at each fetch and falls in between. (On the Flink 2.2 cluster the
        // fetches went on to 200 s apart and more, too rare for the records to tell within ten
        // minutes: the source's lag in time tells instead.)
        long[] fetches = new long[16];
        fetches[0] = 600_000;
        fetches[1] = 645_000;
        fetches[2] = 745_000;
        for (int i = 3; i < fetches.length; i++) {
            fetches[i] = fetches[i - 1] + 150_000;
        }
        LongToDoubleFunction stale =
                t -> {
                    long fetched = 0;
                    for (long fetch : fetches) {
                        if (fetch <= t) {
                            fetched = fetch;
                        }
                    }
                    return 500 * fetched / 1000.0 - consumed(t, true) + 1_000;
                };
        long first = 945_000 + STEP;

        assertThat(growingEvaluations(stale, Refresh.RISES, true, first))
                .isEqualTo(evaluationsFrom(first));
    }

    @Test
    void aCleanTrendWithoutRefreshesIsJudgedOnEverySample() {
        long[] times = new long[40];
        double[] values = new double[40];
        for (int i = 0; i < 40; i++) {
            times[i] = i * STEP;
            values[i] = 1000 + 10 * i;
        }
        // Rising only: no drop, so no sawtooth of commits.
        Trend refreshed = RefreshedTrend.of(times, values, 0, 20, 40, Refresh.DROPS);
        assertThat(refreshed).isEqualTo(Trend.of(times, values, 20, 40));
        // Rising at every sample: every sample refreshed it, and the fit is the same line.
        Trend byRises = RefreshedTrend.of(times, values, 0, 20, 40, Refresh.RISES);
        assertThat(byRises.slopePerSecond())
                .isEqualTo(Trend.of(times, values, 20, 40).slopePerSecond());
    }

    @Test
    void aSawtoothWithTooFewRefreshesToFitHasNoTrend() {
        // A healthy job first seen 5 minutes ago, committing every 3 minutes: one commit in all
        // that is kept. Every sample says it grows (as it did on the Flink 2.2 recording, where
        // the poller's lag paged before the sink was throttled); one commit says nothing yet.
        LongToDoubleFunction healthy = committedEvery3Minutes(false);
        long[] times = new long[21];
        double[] values = new double[21];
        for (int i = 0; i < 21; i++) {
            times[i] = i * STEP;
            values[i] = healthy.applyAsDouble(times[i]);
        }
        assertThat(Trend.of(times, values, 0, 21).risesAbove(NOISE_WIDTHS)).isTrue();
        assertThat(RefreshedTrend.of(times, values, 0, 0, 21, Refresh.DROPS).slopePerSecond())
                .isNaN();
    }

    @Test
    void commitsThatStopAreNewsNotStaleness() {
        // Committing every minute, then never again from 10 minutes on (checkpoints fail): from
        // half a minute past the missed commit, the gap is judged on every sample, and it grows.
        long[] times = new long[60];
        double[] values = new double[60];
        for (int i = 0; i < 60; i++) {
            times[i] = i * STEP;
            long t = Math.min(times[i], 600_000);
            values[i] = 500 * (times[i] - t / 60_000 * 60_000) / 1000.0;
        }
        int at = (int) (705_000 / STEP);
        int from = at + 1 - (int) (RANGE / STEP);
        Trend trend = RefreshedTrend.of(times, values, from - 20, from, at + 1, Refresh.DROPS);
        assertThat(trend).isEqualTo(Trend.of(times, values, from, at + 1));
        assertThat(trend.slopePerSecond() > 0 && trend.risesAbove(NOISE_WIDTHS)).isTrue();
        // A minute earlier the commit was only just late: judged by the commits, flat.
        Trend before = RefreshedTrend.of(times, values, from - 24, from - 4, at - 3, Refresh.DROPS);
        assertThat(before.risesAbove(NOISE_WIDTHS)).isFalse();
    }

    @Test
    void aTrendThatOnlyEverMovesTheRefreshsWayIsJudgedOnEverySampleFromItsFirstStep() {
        // Flat, then rising: the first rise is the only refresh there is.
        long[] times = new long[25];
        double[] values = new double[25];
        for (int i = 0; i < 25; i++) {
            times[i] = i * STEP;
            values[i] = i < 24 ? 10_000 : 10_100;
        }
        assertThat(RefreshedTrend.of(times, values, 0, 5, 25, Refresh.RISES))
                .isEqualTo(Trend.of(times, values, 5, 25));
    }
}

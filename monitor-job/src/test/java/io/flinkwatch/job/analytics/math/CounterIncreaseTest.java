package io.flinkwatch.job.analytics.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Cases checked against Prometheus' extrapolatedRate (promql/functions.go). */
class CounterIncreaseTest {

    @Test
    void samplesCoveringTheRangeNeedNoExtrapolation() {
        // Range (0 s, 60 s], samples at 0.. no: samples at 15, 30, 45, 60 with values 1..4.
        // sampled interval 45 s, gap to start 15 s (< 1.1 * 15 s average): extrapolated to 60 s.
        // increase = 3 * 60 / 45 = 4.
        long[] t = {15_000, 30_000, 45_000, 60_000};
        double[] v = {1, 2, 3, 4};
        assertThat(CounterIncrease.increase(t, v, 0, 4, 0, 60_000)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void aFlatCounterHasNoIncrease() {
        long[] t = {15_000, 30_000, 45_000, 60_000};
        double[] v = {7, 7, 7, 7};
        assertThat(CounterIncrease.increase(t, v, 0, 4, 0, 60_000)).isZero();
    }

    @Test
    void aResetToZeroIsNotADecrease() {
        // 5, 5, then the job restarts and counts from 0: no failure happened.
        long[] t = {15_000, 30_000, 45_000, 60_000};
        double[] v = {5, 5, 0, 0};
        assertThat(CounterIncrease.increase(t, v, 0, 4, 0, 60_000)).isZero();
    }

    @Test
    void aResetFollowedByNewCountsCountsTheNewOnes() {
        // 5 → 6 (+1), reset to 0, 0 → 2 (+2): 3 over 45 s, extrapolated to 60 s = 4.
        long[] t = {15_000, 30_000, 45_000, 60_000};
        double[] v = {5, 6, 0, 2};
        assertThat(CounterIncrease.increase(t, v, 0, 4, 0, 60_000)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void doesNotExtrapolateBelowZero() {
        // 0 → 3 over 30 s starting 30 s into a 60 s range: durationToZero = 30 * 0/3 = 0,
        // so the start is not extrapolated; the end gap 0. 3 * 30 / 30 = 3.
        long[] t = {30_000, 45_000, 60_000};
        double[] v = {0, 1, 3};
        assertThat(CounterIncrease.increase(t, v, 0, 3, 0, 60_000)).isCloseTo(3.0, within(1e-12));
    }

    @Test
    void sparseSamplesExtrapolateByHalfAnInterval() {
        // Samples at 20 s and 40 s in (0, 60]: average gap 20 s, threshold 22 s.
        // start gap 20 s < 22 s → extend 20 s; end gap 20 s < 22 s → extend 20 s: 10 * 60 / 20 =
        // 30.
        long[] t = {20_000, 40_000};
        double[] v = {10, 20};
        assertThat(CounterIncrease.increase(t, v, 0, 2, 0, 60_000)).isCloseTo(30.0, within(1e-12));
        // Range (0, 100]: end gap 60 s > 22 s → extend only 10 s: 10 * (20 + 20 + 10) / 20 = 25.
        assertThat(CounterIncrease.increase(t, v, 0, 2, 0, 100_000)).isCloseTo(25.0, within(1e-12));
    }

    @Test
    void oneSampleHasNoIncrease() {
        assertThat(CounterIncrease.increase(new long[] {1}, new double[] {1}, 0, 1, 0, 10)).isNaN();
    }
}

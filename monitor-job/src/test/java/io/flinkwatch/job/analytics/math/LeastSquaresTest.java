package io.flinkwatch.job.analytics.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    @Test
    void aStraightLineHasItsOwnSlope() {
        // 0, 10, 20, 30 at 0 s, 15 s, 30 s, 45 s: 10 per 15 s = 0.666.. per second.
        long[] t = {0, 15_000, 30_000, 45_000};
        double[] v = {0, 10, 20, 30};
        assertThat(LeastSquares.slopePerSecond(t, v, 0, 4)).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void noiseAroundALineGivesTheLeastSquaresSlope() {
        // x = 0,1,2,3 s; y = 1,3,2,4: Σxy = 19, so slope = (4*19 - 6*10) / (4*14 - 36) = 16 / 20.
        long[] t = {0, 1000, 2000, 3000};
        double[] v = {1, 3, 2, 4};
        assertThat(LeastSquares.slopePerSecond(t, v, 0, 4)).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void aSpikeInTheMiddleDoesNotMakeAFlatSeriesGrow() {
        long[] t = {0, 1000, 2000, 3000, 4000};
        double[] v = {5, 5, 50, 5, 5};
        assertThat(LeastSquares.slopePerSecond(t, v, 0, 5)).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void fewerThanTwoSamplesHaveNoSlope() {
        assertThat(LeastSquares.slopePerSecond(new long[] {0}, new double[] {1}, 0, 1)).isNaN();
        assertThat(LeastSquares.slopePerSecond(new long[0], new double[0], 0, 0)).isNaN();
    }

    @Test
    void usesOnlyTheGivenRange() {
        long[] t = {0, 1000, 2000, 3000};
        double[] v = {100, 0, 1, 2};
        assertThat(LeastSquares.slopePerSecond(t, v, 1, 4)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void largeEpochTimesStayPrecise() {
        long base = 1_767_571_200_000L;
        long[] t = {base, base + 60_000, base + 120_000};
        double[] v = {1e9, 1e9 + 600, 1e9 + 1200};
        assertThat(LeastSquares.slopePerSecond(t, v, 0, 3)).isCloseTo(10.0, within(1e-9));
    }
}

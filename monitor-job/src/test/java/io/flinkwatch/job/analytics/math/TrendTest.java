package io.flinkwatch.job.analytics.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The noise-scaled trend: pure statistics, no Flink. */
class TrendTest {

    /** Samples every 15 s from 0. */
    private static long[] times(int n) {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = i * 15_000L;
        }
        return times;
    }

    @Test
    void aCleanLineHasNoNoiseAndRisesWithoutBound() {
        double[] v = {10, 20, 30, 40, 50};
        Trend trend = Trend.of(times(5), v, 0, 5);
        assertThat(trend.slopePerSecond()).isCloseTo(10 / 15.0, within(1e-12));
        assertThat(trend.rise()).isCloseTo(40.0, within(1e-9));
        assertThat(trend.noise()).isZero();
        assertThat(trend.significance()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(trend.risesAbove(3)).isTrue();
    }

    @Test
    void theNoiseIsReadFromSuccessiveDifferencesAroundTheTrendsOwnStep() {
        // A line rising 100 per sample plus ±5 alternating: differences 90, 110, 90, ... around
        // their median 100, all 10 away: the line's own step does not count as noise.
        int n = 21;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 100 * i + (i % 2 == 0 ? 5 : -5);
        }
        assertThat(Trend.noise(v, 0, n)).isCloseTo(1.4826 * 10 / Math.sqrt(2), within(1e-9));
        // The rise, 2000, is far above that.
        assertThat(Trend.of(times(n), v, 0, n).significance()).isGreaterThan(50);
    }

    @Test
    void uniformJitterGivesAboutItsStandardDeviation() {
        // ±5 % uniform around 10,000: σ = 500 / √3 ≈ 289.
        SplittableRandom random = new SplittableRandom(7);
        int n = 2000;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 10_000 * (1 + 0.05 * (2 * random.nextDouble() - 1));
        }
        assertThat(Trend.noise(v, 0, n)).isCloseTo(500 / Math.sqrt(3), within(30.0));
    }

    @Test
    void aBendWhereATrendStartsIsNotNoise() {
        // Jitter of ±1 for 19 samples, then one sample 50 higher: the residuals of a fit would
        // call that step noise; to the median of the successive differences it is an outlier.
        SplittableRandom random = new SplittableRandom(3);
        double[] v = new double[20];
        for (int i = 0; i < 19; i++) {
            v[i] = 1000 + (2 * random.nextDouble() - 1);
        }
        v[19] = 1050;
        Trend trend = Trend.of(times(20), v, 0, 20);
        assertThat(trend.noise()).isLessThan(1);
        assertThat(trend.risesAbove(3)).isTrue();
    }

    @Test
    void jitterAroundAFlatLevelDoesNotRiseAboveThreeNoiseWidths() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 20;
        int above = 0;
        int windows = 5000;
        for (int w = 0; w < windows; w++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 10_000 * (1 + 0.05 * (2 * random.nextDouble() - 1));
            }
            if (Trend.of(times(n), v, 0, n).risesAbove(3)) {
                above++;
            }
        }
        // Under pure noise the fitted rise over 20 samples has a standard deviation of about
        // 0.74 σ, so three noise widths are about four standard deviations; the noise read from
        // 19 differences varies, which fattens the tail: 13 of 5000 windows (0.26 %) here. A
        // rule fires only when that holds at every evaluation for its duration.
        assertThat(above).isLessThan(windows / 100);
    }

    @Test
    void observationsAtUnevenIntervalsAreNoiseOnlyOffTheirRate() {
        // A clean line of 10 a second read at 30, 180, 15 and 165 s intervals: the differences
        // (300, 1800, 150, 1650) differ, but all are the line's rate times their interval.
        long[] times = {0, 30_000, 210_000, 225_000, 390_000};
        double[] v = {0, 300, 2100, 2250, 3900};
        assertThat(Trend.ofUneven(times, v, 0, 5).noise()).isZero();
        assertThat(Trend.of(times, v, 0, 5).noise()).isGreaterThan(500);
        // At even intervals the two are one statistic.
        double[] jitter = {3, 9, 4, 12, 5, 10, 2, 8};
        assertThat(Trend.noise(times(8), jitter, 0, 8))
                .isCloseTo(Trend.noise(jitter, 0, 8), within(1e-9));
    }

    @Test
    void theFitIsDerivOverEverySample() {
        // A gauge that rose, then froze at 60: the fit, as deriv, includes the repeats.
        double[] v = {10, 20, 30, 40, 50, 60, 60, 60, 60, 60};
        Trend trend = Trend.of(times(10), v, 0, 10);
        assertThat(trend.observations()).isEqualTo(10);
        assertThat(trend.slopePerSecond())
                .isEqualTo(LeastSquares.slopePerSecond(times(10), v, 0, 10));
        // The differences are the five rises of 10: no noise.
        assertThat(trend.noise()).isZero();
    }

    @Test
    void aFrozenGaugeHasNoTrend() {
        double[] v = {42, 42, 42, 42, 42};
        Trend trend = Trend.of(times(5), v, 0, 5);
        assertThat(trend.slopePerSecond()).isZero();
        assertThat(trend.risesAbove(0)).isFalse();
    }

    @Test
    void repeatsInsideTheRangeAreNoDifferencesOfZero() {
        // A checkpoint gauge sampled four times per checkpoint: ±50 around 5000 per checkpoint.
        // Counting the repeats as differences of 0 would make the median deviation 0.
        double[] perCheckpoint = {5050, 4950, 5050, 4950, 5050, 4950, 5050, 4950, 5050, 4950};
        double[] v = new double[40];
        for (int i = 0; i < 40; i++) {
            v[i] = perCheckpoint[i / 4];
        }
        assertThat(Trend.noise(v, 0, 40)).isGreaterThan(50);
    }

    @Test
    void fewerThanThreeObservationsSayNothing() {
        assertThat(Trend.of(times(2), new double[] {1, 2}, 0, 2).slopePerSecond()).isNaN();
        assertThat(Trend.of(times(2), new double[] {1, 2}, 0, 2).risesAbove(0)).isFalse();
        assertThat(Trend.none().significance()).isNaN();
    }

    @Test
    void aQuantizedSeriesFallsBackToTheMeanDeviation() {
        // Differences +1 (11 times) and -1 (9 times): the median deviation is 0, the series is
        // not noiseless.
        double[] v = new double[21];
        for (int i = 1; i < 21; i++) {
            v[i] = v[i - 1] + (i <= 18 && i % 2 == 0 ? -1 : 1);
        }
        assertThat(Trend.noise(v, 0, 21)).isGreaterThan(0.5);
    }
}

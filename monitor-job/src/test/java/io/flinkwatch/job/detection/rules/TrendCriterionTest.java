package io.flinkwatch.job.detection.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.analytics.SampleWindow;
import io.flinkwatch.job.analytics.math.Trend;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrendCriterionTest {

    /** The verdict by the definition: the trend's slope above the minimum, its rise significant. */
    private static boolean growingByDefinition(
            SampleWindow series, long from, long to, boolean positiveOnly, double minSlope) {
        Trend trend = series.trend(from, to, positiveOnly);
        return trend.slopePerSecond() > minSlope
                && trend.risesAbove(TrendCriterion.DEFAULT_NOISE_WIDTHS);
    }

    @Test
    void sayingNoFromTheSlopeAloneNeverChangesAVerdict() {
        Random random = new Random(42);
        int growing = 0;
        for (int run = 0; run < 2_000; run++) {
            SampleWindow series = new SampleWindow();
            double drift = random.nextGaussian() * 5;
            int samples = 1 + random.nextInt(60);
            for (int i = 0; i < samples; i++) {
                double value = 1_000 + drift * i + random.nextGaussian() * 20;
                // Some samples are "no value yet" (0 or -1), as checkpoint gauges report.
                series.add(15_000L * i, random.nextInt(10) == 0 ? -1 : value);
            }
            long to = 15_000L * samples;
            long from = to - 15_000L * (1 + random.nextInt(samples));
            boolean positiveOnly = random.nextBoolean();
            double minSlope = random.nextBoolean() ? 0 : random.nextDouble() * 0.2;

            boolean expected = growingByDefinition(series, from, to, positiveOnly, minSlope);
            assertThat(
                            TrendCriterion.DEFAULT.growing(series, from, to, positiveOnly, minSlope)
                                    != null)
                    .as("run %d", run)
                    .isEqualTo(expected);
            growing += expected ? 1 : 0;
        }
        // Both verdicts were exercised.
        assertThat(growing).isBetween(200, 1_800);
    }
}

package io.flinkwatch.job.analytics.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThroughputBaselineTest {

    private static final long MONDAY = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long WEEK = Duration.ofDays(7).toMillis();

    @Test
    void theFlatBaselineIsTheAverageOfTheSamplesOfTheLastSevenDays() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // Two hours: 100/s for an hour (4 samples), then 200/s for an hour (2 samples).
        for (int i = 0; i < 4; i++) {
            baseline.add(MONDAY + i * 15 * 60_000L, 100);
        }
        for (int i = 0; i < 2; i++) {
            baseline.add(MONDAY + HOUR + i * 30 * 60_000L, 200);
        }
        // avg_over_time weighs samples, not hours: (4*100 + 2*200) / 6.
        ThroughputBaseline.Estimate estimate =
                baseline.estimate(MONDAY + 2 * HOUR - 1, BaselineMode.FLAT, WEEK, 0, 1);
        assertThat(estimate.rate()).isCloseTo(800.0 / 6, within(1e-3));
        assertThat(estimate.history()).isEqualTo(2);
    }

    @Test
    void notEnoughHistoryIsNoBaseline() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        baseline.add(MONDAY, 100);

        assertThat(baseline.estimate(MONDAY, BaselineMode.FLAT, WEEK, 2 * HOUR, 1)).isNull();
        assertThat(baseline.estimate(MONDAY, BaselineMode.FLAT, WEEK, HOUR, 1)).isNotNull();
    }

    @Test
    void hoursOlderThanTheWindowAreForgotten() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        baseline.add(MONDAY, 1000);
        baseline.add(MONDAY + 8 * 24 * HOUR, 10);

        // Monday's 1000/s is 8 days old: only the 10/s counts.
        assertThat(baseline.estimate(MONDAY + 8 * 24 * HOUR, BaselineMode.FLAT, WEEK, 0, 1).rate())
                .isCloseTo(10.0, within(1e-3));
    }

    @Test
    void theSeasonalBaselineIsTheSameHourInPastWeeks() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // Daily traffic: 1000/s at 14:00, 100/s otherwise, for three weeks.
        for (long hour = 0; hour < 3 * 7 * 24; hour++) {
            double rate = hour % 24 == 14 ? 1000 : 100;
            baseline.add(MONDAY + hour * HOUR, rate);
            baseline.add(MONDAY + hour * HOUR + 30 * 60_000L, rate);
        }
        long nextMondayNight = MONDAY + 3 * WEEK + 2 * HOUR;
        long nextMondayAfternoon = MONDAY + 3 * WEEK + 14 * HOUR;

        ThroughputBaseline.Estimate night =
                baseline.estimate(nextMondayNight, BaselineMode.SEASONAL, WEEK, 0, 1);
        ThroughputBaseline.Estimate afternoon =
                baseline.estimate(nextMondayAfternoon, BaselineMode.SEASONAL, WEEK, 0, 1);
        assertThat(night.mode()).isEqualTo(BaselineMode.SEASONAL);
        assertThat(night.rate()).isCloseTo(100.0, within(1e-3));
        assertThat(afternoon.rate()).isCloseTo(1000.0, within(1e-3));
        assertThat(night.history()).isEqualTo(3);
        // The flat baseline blurs the two: the window holds the last 165 hours of data, 7 of them
        // at
        // 14:00: (7 * 1000 + 158 * 100) / 165.
        assertThat(baseline.estimate(nextMondayNight, BaselineMode.FLAT, WEEK, 0, 1).rate())
                .isCloseTo((7 * 1000 + 158 * 100) / 165.0, within(1e-3));
    }

    @Test
    void seasonalFallsBackToFlatUntilEnoughWeeksExist() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        for (long hour = 0; hour < 48; hour++) {
            baseline.add(MONDAY + hour * HOUR, 100);
        }
        ThroughputBaseline.Estimate estimate =
                baseline.estimate(MONDAY + 48 * HOUR, BaselineMode.SEASONAL, WEEK, 0, 1);
        assertThat(estimate.mode()).isEqualTo(BaselineMode.FLAT);
        assertThat(estimate.rate()).isCloseTo(100.0, within(1e-3));
    }

    @Test
    void keepsTheSameSmallStateHoweverLongItRuns() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        for (long minute = 0; minute < 60 * 24 * 30; minute++) {
            baseline.add(MONDAY + minute * 60_000L, 100);
        }
        assertThat(baseline.slotHour).hasSize(ThroughputBaseline.HOURS_PER_WEEK);
        assertThat(baseline.slotMean).hasSize(ThroughputBaseline.HOURS_PER_WEEK);
        assertThat(baseline.seasonalMean).hasSize(ThroughputBaseline.HOURS_PER_WEEK);
    }
}

package io.flinkwatch.job.analytics.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThroughputBaselineTest {

    private static final long MONDAY = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long HALF = Duration.ofMinutes(30).toMillis();
    private static final long DAY = Duration.ofDays(1).toMillis();
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

        // The hour under way is no history yet: an hour is there once it has ended.
        assertThat(baseline.estimate(MONDAY + HOUR - 1, BaselineMode.FLAT, WEEK, HOUR, 1)).isNull();
        assertThat(baseline.estimate(MONDAY + HOUR, BaselineMode.FLAT, WEEK, 2 * HOUR, 1)).isNull();
        assertThat(baseline.estimate(MONDAY + HOUR, BaselineMode.FLAT, WEEK, HOUR, 1)).isNotNull();
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
        long nextMondayAfternoon = MONDAY + 3 * WEEK + 14 * HOUR + 30 * 60_000L;

        ThroughputBaseline.Estimate night =
                baseline.estimate(nextMondayNight, BaselineMode.SEASONAL, WEEK, 0, 1);
        ThroughputBaseline.Estimate afternoon =
                baseline.estimate(nextMondayAfternoon, BaselineMode.SEASONAL, WEEK, 0, 1);
        assertThat(night.kind()).isEqualTo(BaselineKind.HOUR_OF_WEEK);
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
    void seasonalIsFlatBeforeOneDayOfHistory() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        for (long hour = 0; hour < 20; hour++) {
            baseline.add(MONDAY + hour * HOUR, 100 + hour);
        }
        ThroughputBaseline.Estimate estimate =
                baseline.estimate(MONDAY + 20 * HOUR, BaselineMode.SEASONAL, WEEK, HOUR, 1);
        assertThat(estimate.kind()).isEqualTo(BaselineKind.FLAT);
        assertThat(estimate.rate()).isCloseTo(109.5, within(1e-3));
    }

    @Test
    void fromTheSecondDayTheSeasonalBaselineIsTheSameHourOfTheDay() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // Two days: 1000/s from 08:00 to 20:00, 200/s at night.
        for (long hour = 0; hour < 48; hour++) {
            baseline.add(MONDAY + hour * HOUR, daily(hour));
        }
        ThroughputBaseline.Estimate night =
                baseline.estimate(
                        MONDAY + 48 * HOUR + 3 * HOUR + HALF, BaselineMode.SEASONAL, WEEK, DAY, 1);
        ThroughputBaseline.Estimate afternoon =
                baseline.estimate(
                        MONDAY + 48 * HOUR + 15 * HOUR + HALF, BaselineMode.SEASONAL, WEEK, DAY, 1);
        assertThat(night.kind()).isEqualTo(BaselineKind.HOUR_OF_DAY);
        assertThat(night.history()).isEqualTo(2);
        assertThat(night.rate()).isCloseTo(200.0, within(1e-3));
        assertThat(afternoon.rate()).isCloseTo(1000.0, within(1e-3));
        // The flat average would judge every night against the day: (12 * 1000 + 12 * 200) / 24.
        assertThat(baseline.estimate(MONDAY + 51 * HOUR, BaselineMode.FLAT, WEEK, DAY, 1).rate())
                .isCloseTo(600.0, within(1e-3));
    }

    @Test
    void theHourOfDayBaselineWaitsForTheMinimumHistory() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        for (long hour = 0; hour < 26; hour++) {
            baseline.add(MONDAY + hour * HOUR, 100);
        }
        assertThat(baseline.estimate(MONDAY + 26 * HOUR, BaselineMode.SEASONAL, WEEK, 2 * DAY, 1))
                .isNull();
        assertThat(
                        baseline.estimate(MONDAY + 26 * HOUR, BaselineMode.SEASONAL, WEEK, DAY, 1)
                                .kind())
                .isEqualTo(BaselineKind.HOUR_OF_DAY);
    }

    @Test
    void theHourOfDayBaselineIsCappedAtTheMostRecentDay() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // Monday to Friday at 1000/s, Saturday at 400/s: a weekly shape not yet seen a week long.
        for (long hour = 0; hour < 6 * 24; hour++) {
            baseline.add(MONDAY + hour * HOUR, hour < 5 * 24 ? 1000 : 400);
        }
        long saturdayNoon = MONDAY + 5 * DAY + 12 * HOUR + HALF;
        long sundayNoon = MONDAY + 6 * DAY + 12 * HOUR + HALF;
        // Saturday was judged against the weekdays (the first quiet day is news)...
        ThroughputBaseline saturdayMorning = new ThroughputBaseline();
        for (long hour = 0; hour < 5 * 24 + 12; hour++) {
            saturdayMorning.add(MONDAY + hour * HOUR, hour < 5 * 24 ? 1000 : 400);
        }
        assertThat(
                        saturdayMorning
                                .estimate(saturdayNoon, BaselineMode.SEASONAL, WEEK, DAY, 1)
                                .rate())
                .isCloseTo(1000.0, within(1e-3));
        // ...Sunday against Saturday, not the mean of the six days before it (900).
        ThroughputBaseline.Estimate sunday =
                baseline.estimate(sundayNoon, BaselineMode.SEASONAL, WEEK, DAY, 1);
        assertThat(sunday.kind()).isEqualTo(BaselineKind.HOUR_OF_DAY);
        assertThat(sunday.history()).isEqualTo(6);
        assertThat(sunday.rate()).isCloseTo(400.0, within(1e-3));
        // With the days the same, the cap changes nothing: the mean of the past days.
        ThroughputBaseline steady = new ThroughputBaseline();
        for (long hour = 0; hour < 3 * 24; hour++) {
            steady.add(MONDAY + hour * HOUR, hour < 24 ? 900 : hour < 48 ? 1200 : 1100);
        }
        assertThat(
                        steady.estimate(
                                        MONDAY + 3 * DAY + 5 * HOUR + HALF,
                                        BaselineMode.SEASONAL,
                                        WEEK,
                                        DAY,
                                        1)
                                .rate())
                .isCloseTo((900 + 1200 + 1100) / 3.0, within(1e-3));
    }

    @Test
    void theHourOfWeekBaselineTakesOverOnceAWeekExists() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // A week with weekends at 400/s, then the next Monday to Friday.
        for (long hour = 0; hour < 12 * 24; hour++) {
            long dayOfWeek = (hour / 24) % 7;
            baseline.add(MONDAY + hour * HOUR, dayOfWeek >= 5 ? 400 : 1000);
        }
        // Saturday of week two is judged against last Saturday, not against Friday.
        ThroughputBaseline.Estimate saturday =
                baseline.estimate(
                        MONDAY + WEEK + 5 * DAY + 12 * HOUR + HALF,
                        BaselineMode.SEASONAL,
                        WEEK,
                        DAY,
                        1);
        assertThat(saturday.kind()).isEqualTo(BaselineKind.HOUR_OF_WEEK);
        assertThat(saturday.history()).isEqualTo(1);
        assertThat(saturday.rate()).isCloseTo(400.0, within(1e-3));
        // With seasonal-min-weeks 2, the hour of the day judges it: capped at Friday's 1000.
        assertThat(
                        baseline.estimate(
                                        MONDAY + WEEK + 5 * DAY + 12 * HOUR + HALF,
                                        BaselineMode.SEASONAL,
                                        WEEK,
                                        DAY,
                                        2)
                                .kind())
                .isEqualTo(BaselineKind.HOUR_OF_DAY);
    }

    @Test
    void withinAnHourARampIsFollowedAndAStepAtItsEdgeErrsLow() {
        ThroughputBaseline baseline = new ThroughputBaseline();
        // Yesterday: 100/s until 10:00, 300/s from 11:00 on, 200/s in between (a ramp).
        for (long hour = 0; hour < 24; hour++) {
            baseline.add(MONDAY + hour * HOUR, hour < 10 ? 100 : hour == 10 ? 200 : 300);
        }
        long today = MONDAY + DAY;
        // Early in 10:00, halfway between 09:00's mean and 10:00's.
        assertThat(rate(baseline, today + 10 * HOUR)).isCloseTo(150.0, within(1e-3));
        assertThat(rate(baseline, today + 10 * HOUR + HALF)).isCloseTo(200.0, within(1e-3));
        // Late in 10:00 the ramp goes on, but never above the hour's own mean.
        assertThat(rate(baseline, today + 10 * HOUR + 3 * HALF / 2)).isCloseTo(200.0, within(1e-3));
        // A step at 11:00: the first minutes of 11:00 are judged low, between the two hours.
        assertThat(rate(baseline, today + 11 * HOUR)).isCloseTo(250.0, within(1e-3));
    }

    private static double rate(ThroughputBaseline baseline, long time) {
        return baseline.estimate(time, BaselineMode.SEASONAL, WEEK, HOUR, 1).rate();
    }

    private static double daily(long hour) {
        long hourOfDay = hour % 24;
        return hourOfDay >= 8 && hourOfDay < 20 ? 1000 : 200;
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

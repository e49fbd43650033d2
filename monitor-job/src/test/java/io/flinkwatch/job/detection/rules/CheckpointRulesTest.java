package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.Snapshots.seconds;
import static io.flinkwatch.job.detection.rules.JobHistory.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flinkwatch.job.detection.RuleOutcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The checkpoint and state rules over job-level series (times in seconds, a sample every 10 s). */
class CheckpointRulesTest {

    @Nested
    class Failures {
        private final CheckpointFailures rule =
                new CheckpointFailures(Duration.ofMinutes(10), Duration.ofMinutes(10));

        @Test
        void failuresThatKeepComingHold() {
            // One more failure every minute.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1800,
                                    t ->
                                            running(t, -3600)
                                                    .metric("numberOfFailedCheckpoints", t / 60));
            List<RuleOutcome> holding = job.evaluate(rule, 1800);
            assertThat(holding).hasSize(1);
            // 10 failures in 10 minutes; samples span 590 s of the 600 s range, extrapolated.
            assertThat(holding.get(0).evidence().values().get("failedCheckpointsIncrease"))
                    .isCloseTo(10.0, within(0.5));
        }

        @Test
        void aSingleFailureHoldsForLessThanTheRangeSoItNeverFiresWithADurationAsLong() {
            // The counter goes from 0 to 1 at 300 s and stays there.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1800,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "numberOfFailedCheckpoints",
                                                            t >= 300 ? 1 : 0));
            assertThat(job.holds(rule, 290)).isFalse();
            assertThat(job.holds(rule, 300)).isTrue();
            // (290, 890] still holds both the 0 at 290 s and the 1 at 300 s: increase > 0.
            assertThat(job.holds(rule, 885)).isTrue();
            // From 890 s the window no longer holds a 0: the raise at 300 s never reaches 600 s of
            // holding.
            assertThat(job.holds(rule, 890)).isFalse();
        }

        @Test
        void aRestartThatResetsTheCounterIsNotAFailure() {
            // 7 failures long ago; the job restarts at 600 s and counts from 0 again.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    590,
                                    t -> running(t, -3600).metric("numberOfFailedCheckpoints", 7))
                            .every10s(
                                    600,
                                    1800,
                                    t ->
                                            running(t, 600)
                                                    .jobId("job-2")
                                                    .metric("numberOfFailedCheckpoints", 0));
            for (long t = 600; t <= 1800; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
        }
    }

    @Nested
    class DurationIncreasing {
        private final CheckpointDurationIncreasing rule =
                new CheckpointDurationIncreasing(
                        Duration.ofMinutes(30), Duration.ofMinutes(30), 0, TrendCriterion.DEFAULT);

        @Test
        void aRisingDurationHoldsAndReportsItsSlope() {
            // 2000 ms + 100 ms per minute.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "lastCheckpointDuration",
                                                            2000 + 100 * (t / 60)));
            List<RuleOutcome> holding = job.evaluate(rule, 3600);
            assertThat(holding).hasSize(1);
            assertThat(holding.get(0).evidence().values().get("slopeMsPerMinute"))
                    .isCloseTo(100.0, within(5.0));
        }

        @Test
        void aFlatDurationDoesNotHold() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t -> running(t, -3600).metric("lastCheckpointDuration", 2000));
            assertThat(job.holds(rule, 3600)).isFalse();
        }

        @Test
        void aRestartDoesNotLookLikeATrend() {
            // Before the restart at 1800 s: 1 s checkpoints; after it: 3 s (a full checkpoint),
            // flat.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1790,
                                    t -> running(t, -3600).metric("lastCheckpointDuration", 1000))
                            .every10s(
                                    1800,
                                    3600,
                                    t -> running(t, 1800).metric("lastCheckpointDuration", 3000));
            for (long t = 1800; t <= 3600; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
        }

        @Test
        void zerosAndMinusOnesAfterAFailoverAreNoValues() {
            // Durations rise slowly; a JobManager failover at 600 s reports -1 and 0 for a while.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "lastCheckpointDuration",
                                                            t >= 600 && t < 700
                                                                    ? (t < 650 ? -1 : 0)
                                                                    : 3000 - t / 10.0));
            assertThat(job.holds(rule, 1200)).isFalse();
        }
    }

    @Nested
    class StateSize {
        private final StateSizeGrowing rule =
                new StateSizeGrowing(
                        Duration.ofHours(1), Duration.ofHours(1), 1024, TrendCriterion.DEFAULT);

        @Test
        void growthAboveTheThresholdHoldsAndUsesTheFullSize() {
            // Full size grows by 2 KiB/s; the incremental size does not.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "lastCheckpointFullSize",
                                                            50e6 + 2048 * t)
                                                    .metric("lastCheckpointSize", 1e6));
            List<RuleOutcome> holding = job.evaluate(rule, 3600);
            assertThat(holding).hasSize(1);
            assertThat(holding.get(0).evidence().values().get("growthBytesPerSecond"))
                    .isCloseTo(2048.0, within(1.0));
            assertThat(holding.get(0).evidence().facts())
                    .containsEntry("metric", "lastCheckpointFullSize");
        }

        @Test
        void growthBelowTheThresholdDoesNotHold() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3600)
                                                    .metric("lastCheckpointSize", 50e6 + 512 * t));
            assertThat(job.holds(rule, 3600)).isFalse();
        }

        @Test
        void aResubmissionStartsFromItsOwnCheckpoints() {
            // The old job had 50 MB; the new one restores to 200 MB and stays there.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1790,
                                    t -> running(t, -3600).metric("lastCheckpointFullSize", 50e6))
                            .every10s(
                                    1800,
                                    5400,
                                    t ->
                                            running(t, 1800)
                                                    .jobId("job-2")
                                                    .metric("lastCheckpointFullSize", 200e6));
            for (long t = 1800; t <= 5400; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
        }
    }

    @Nested
    class NoRecent {
        private final NoRecentCheckpoint rule =
                new NoRecentCheckpoint(3, Duration.ofMinutes(10), Duration.ZERO);

        @Test
        void holdsWhenTheLastCheckpointIsOlderThanThreeIntervals() {
            // Interval 60 s; the last checkpoint completed at 100 s.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    400,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "lastCheckpointCompletedTimestamp",
                                                            seconds(Math.min(t, 100)))
                                                    .metric("totalNumberOfCheckpoints", 5));
            assertThat(job.holds(rule, 280)).isFalse();
            assertThat(job.holds(rule, 290)).isTrue();
        }

        @Test
        void aFlink120JobHasNoTimestampGaugeSoItsCompletedCountTellsWhenCheckpointsStop() {
            // The job-level metrics a Flink 1.20.5 JobManager registers (recorded from a real
            // cluster; metric-ingest's recorded/flink-1.20.5): no lastCheckpointCompletedTimestamp,
            // which Flink added in 2.x. Checkpoints every minute until 600 s, then none.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1200,
                                    t ->
                                            running(t, -86_400)
                                                    .metric("numRestarts", 0)
                                                    .metric("fullRestarts", 0)
                                                    .metric("downtime", 0)
                                                    .metric("lastCheckpointDuration", 2192)
                                                    .metric("lastCheckpointSize", 1964)
                                                    .metric("lastCheckpointFullSize", 1964)
                                                    .metric(
                                                            "lastCompletedCheckpointId",
                                                            1440 + Math.min(t, 600) / 60)
                                                    .metric(
                                                            "numberOfInProgressCheckpoints",
                                                            t < 600 ? 0 : 1)
                                                    .metric("numberOfFailedCheckpoints", 0)
                                                    .metric(
                                                            "numberOfCompletedCheckpoints",
                                                            1440 + Math.min(t, 600) / 60)
                                                    .metric(
                                                            "totalNumberOfCheckpoints",
                                                            1441 + t / 60));
            for (long t = 0; t <= 780; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
            assertThat(job.holds(rule, 790)).isTrue();
            assertThat(job.evaluate(rule, 790).get(0).evidence().values())
                    .containsEntry("sinceLastCheckpointMs", (double) seconds(190))
                    .containsEntry("lastCheckpointCompletedAt", Double.NaN);
        }

        @Test
        void withoutTheTimestampGaugeAHealthyJobThatCheckpointsEveryMinuteNeverHolds() {
            // Three days into its run, one completed checkpoint a minute, no
            // lastCheckpointCompletedTimestamp.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3 * 86_400)
                                                    .metric(
                                                            "numberOfCompletedCheckpoints",
                                                            4320 + t / 60)
                                                    .metric(
                                                            "totalNumberOfCheckpoints",
                                                            4320 + t / 60));
            for (long t = 0; t <= 3600; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
        }

        @Test
        void withoutTheTimestampGaugeACountThatStopsIncreasingHoldsAfterTheLimit() {
            // The count last changes at 600 s (the sample at 600 s shows it first): 3 × 60 s later.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    1200,
                                    t ->
                                            running(t, -3 * 86_400)
                                                    .metric(
                                                            "numberOfCompletedCheckpoints",
                                                            4320 + Math.min(t, 600) / 60));
            assertThat(job.holds(rule, 780)).isFalse();
            assertThat(job.holds(rule, 790)).isTrue();
            assertThat(job.evaluate(rule, 790).get(0).evidence().values())
                    .containsEntry("sinceLastCheckpointMs", (double) seconds(190));
        }

        @Test
        void withoutTheTimestampGaugeACountResetByARestartIsNoCompletionButTheRunStartsOver() {
            // Restarted at 1000 s: the count starts again from 0 and grows every minute.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    990,
                                    t ->
                                            running(t, -86_400)
                                                    .metric(
                                                            "numberOfCompletedCheckpoints",
                                                            1440 + t / 60)
                                                    .metric(
                                                            "totalNumberOfCheckpoints",
                                                            1440 + t / 60))
                            .every10s(
                                    1000,
                                    1600,
                                    t ->
                                            running(t, 1000)
                                                    .metric(
                                                            "numberOfCompletedCheckpoints",
                                                            (t - 1000) / 60)
                                                    .metric(
                                                            "totalNumberOfCheckpoints",
                                                            (t - 1000) / 60));
            for (long t = 0; t <= 1600; t += 15) {
                assertThat(job.holds(rule, t)).as("at %d s", t).isFalse();
            }
        }

        @Test
        void withoutTheTimestampGaugeAFirstSeenCountIsNotOldUntilItStaysPutForTheLimit() {
            // Flinkwatch starts watching a job whose count is already large and then stays put.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    5000,
                                    5400,
                                    t ->
                                            running(t, -86_400)
                                                    .metric("numberOfCompletedCheckpoints", 9999));
            assertThat(job.holds(rule, 5000)).isFalse();
            assertThat(job.holds(rule, 5180)).isFalse();
            assertThat(job.holds(rule, 5190)).isTrue();
        }

        @Test
        void countsFromTheStartOfTheRunAfterARestart() {
            // The last checkpoint before the restart at 1000 s completed at 900 s.
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    1000,
                                    1400,
                                    t ->
                                            running(t, 1000)
                                                    .metric(
                                                            "lastCheckpointCompletedTimestamp",
                                                            seconds(900))
                                                    .metric("totalNumberOfCheckpoints", 5));
            assertThat(job.holds(rule, 1180)).isFalse();
            assertThat(job.holds(rule, 1190)).isTrue();
        }

        @Test
        void leavesJobsWithoutCheckpointingAlone() {
            JobHistory off =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            running(t, -3600)
                                                    .checkpointInterval(0)
                                                    .metric(
                                                            "lastCheckpointCompletedTimestamp",
                                                            -1));
            assertThat(off.holds(rule, 3600)).isFalse();
            JobHistory neverTriggered =
                    new JobHistory()
                            .every10s(
                                    0,
                                    3600,
                                    t ->
                                            io.flinkwatch.job.Snapshots.job("o")
                                                    .status("RUNNING")
                                                    .metric("uptime", seconds(t + 60))
                                                    .metric("totalNumberOfCheckpoints", 0));
            assertThat(neverTriggered.holds(rule, 3600)).isFalse();
        }

        @Test
        void usesTheFallbackWhenTheIntervalIsUnknown() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    700,
                                    t ->
                                            io.flinkwatch.job.Snapshots.job("o")
                                                    .status("RUNNING")
                                                    .metric("uptime", seconds(t + 3600))
                                                    .metric("totalNumberOfCheckpoints", 3)
                                                    .metric(
                                                            "lastCheckpointCompletedTimestamp",
                                                            seconds(10)));
            // Fallback 10 minutes: 610 - 10 is not more than 600 s, 620 - 10 is.
            assertThat(job.holds(rule, 610)).isFalse();
            assertThat(job.holds(rule, 620)).isTrue();
        }

        @Test
        void aJobWhoseMetricsStoppedIsNotSaidToHaveStoppedCheckpointing() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    100,
                                    t ->
                                            running(t, -3600)
                                                    .metric(
                                                            "lastCheckpointCompletedTimestamp",
                                                            seconds(t))
                                                    .metric("totalNumberOfCheckpoints", 5));
            assertThat(job.holds(rule, 395)).isFalse();
        }
    }

    @Nested
    class ExceedsInterval {
        private final CheckpointDurationExceedsInterval rule =
                new CheckpointDurationExceedsInterval(Duration.ofMinutes(5));

        @Test
        void holdsWhenTheLastCheckpointTookLongerThanTheInterval() {
            JobHistory slow =
                    new JobHistory()
                            .every10s(
                                    0,
                                    600,
                                    t ->
                                            running(t, -3600)
                                                    .metric("lastCheckpointDuration", 75_000));
            JobHistory fine =
                    new JobHistory()
                            .every10s(
                                    0,
                                    600,
                                    t ->
                                            running(t, -3600)
                                                    .metric("lastCheckpointDuration", 45_000));
            assertThat(slow.evaluate(rule, 600).get(0).evidence().values())
                    .containsEntry("checkpointIntervalMs", 60_000.0);
            assertThat(fine.holds(rule, 600)).isFalse();
        }
    }

    @Nested
    class Alignment {
        private final CheckpointAlignmentHigh rule =
                new CheckpointAlignmentHigh(0.5, Duration.ofSeconds(1), Duration.ofMinutes(10));

        @Test
        void holdsWhenTheSlowestSubtaskAlignsForMostOfTheCheckpoint() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    600,
                                    t -> running(t, -3600).metric("lastCheckpointDuration", 10_000))
                            .every10s(
                                    0,
                                    600,
                                    t ->
                                            io.flinkwatch.job.Snapshots.job("orders")
                                                    .task("Map", 0, 0)
                                                    .metric("checkpointAlignmentTime", 2e9))
                            .every10s(
                                    0,
                                    600,
                                    t ->
                                            io.flinkwatch.job.Snapshots.job("orders")
                                                    .task("Map", 1, 0)
                                                    .metric("checkpointAlignmentTime", 7e9));
            List<RuleOutcome> holding = job.evaluate(rule, 600);
            assertThat(holding).hasSize(1);
            assertThat(holding.get(0).evidence().values().get("alignmentShare"))
                    .isCloseTo(0.7, within(1e-9));
            assertThat(holding.get(0).evidence().facts())
                    .containsEntry("slowestVertex", "Map")
                    .containsEntry("slowestSubtask", "1");
        }

        @Test
        void shortAlignmentsAreNeverHigh() {
            JobHistory job =
                    new JobHistory()
                            .every10s(
                                    0,
                                    600,
                                    t -> running(t, -3600).metric("lastCheckpointDuration", 20))
                            .every10s(
                                    0,
                                    600,
                                    t ->
                                            io.flinkwatch.job.Snapshots.job("orders")
                                                    .task("Map", 0, 0)
                                                    .metric("checkpointAlignmentTime", 15e6));
            assertThat(job.holds(rule, 600)).isFalse();
        }
    }
}

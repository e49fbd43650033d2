package io.flinkwatch.ingest.kafka;

import static io.flinkwatch.ingest.kafka.PartitionClock.Kind.CLOCK_AHEAD_OF_MONITOR;
import static io.flinkwatch.ingest.kafka.PartitionClock.Kind.CLOCK_OFF_CONSENSUS;
import static io.flinkwatch.ingest.kafka.PartitionClock.Kind.LATE;
import static io.flinkwatch.ingest.kafka.PartitionClock.Kind.ON_TIME;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One partition shared by the jobs of several clusters, live: every 15 s of wall clock each job
 * sends a snapshot stamped by its own clock. Out-of-orderness 15 s, bound 5 minutes, a silent job
 * holds event time for 90 s.
 */
class PartitionClockTest {

    private static final long NOW = 1_767_571_200_000L; // the monitor's clock at the start
    private static final long OOO = 15_000;
    private static final long STEP = 15_000;
    private static final long MINUTE = 60_000;

    private static final long SILENT_HOLD = 90_000;

    private PartitionClock clock = clock(Duration.ofMillis(SILENT_HOLD));
    private long wall = NOW;
    private boolean replaying;

    @Test
    void aSnapshotIsLateOnlyAgainstItsOwnJobsNewest() {
        // B's clock is 90 s ahead of A's: A is never late because of B.
        for (int step = 0; step < 20; step++) {
            assertThat(send("A", wall)).isEqualTo(ON_TIME);
            assertThat(send("B", wall + 90_000)).isEqualTo(ON_TIME);
            tick();
        }
        long newestA = wall - STEP;

        assertThat(send("A", newestA - OOO))
                .as("exactly out-of-orderness behind")
                .isEqualTo(ON_TIME);
        PartitionClock.Verdict late = clock.judge("A", newestA - OOO - 1, false, wall);
        assertThat(late.kind()).isEqualTo(LATE);
        assertThat(late.reference()).isEqualTo(newestA);
        assertThat(late.offsetMs()).isEqualTo(-OOO - 1);
    }

    @Test
    void eventTimeWaitsForAClockBehindSoNoneOfItsSnapshotsIsBehindTheWatermark() {
        List<Long> behindWatermark = new ArrayList<>();
        for (int step = 0; step < 40; step++) {
            send("A", wall);
            long b = wall - 40_000;
            // (At step 0 the watermark is provisional, not emitted, and B takes it back.)
            if (step > 0 && clock.watermark() >= b) {
                behindWatermark.add(b);
            }
            assertThat(send("B", b)).isEqualTo(ON_TIME);
            tick();
        }
        assertThat(behindWatermark).isEmpty();
        // B, the slowest clock, sets the watermark: A's evaluations wait 40 s for it.
        assertThat(clock.watermark()).isEqualTo(wall - STEP - 40_000 - OOO - 1);
    }

    @Test
    void aClockAheadWithinTheBoundIsMonitoredAndTheCorrectClockSetsTheWatermark() {
        for (int step = 0; step < 40; step++) {
            assertThat(send("A", wall)).isEqualTo(ON_TIME);
            assertThat(send("B", wall + 4 * MINUTE)).isEqualTo(ON_TIME);
            tick();
        }
        assertThat(clock.watermark()).isEqualTo(wall - STEP - OOO - 1);
    }

    @Test
    void aClockAheadOfTheMonitorByMoreThanTheBoundIsSkewedWhateverTheOthersSay() {
        send("A", wall);
        PartitionClock.Verdict ahead = clock.judge("B", wall + 20 * MINUTE, false, wall);

        assertThat(ahead.kind()).isEqualTo(CLOCK_AHEAD_OF_MONITOR);
        assertThat(ahead.reference()).isEqualTo(wall);
        assertThat(ahead.offsetMs()).isEqualTo(20 * MINUTE);
    }

    @Test
    void aClockBehindTheOthersByMoreThanTheBoundIsSkewedAndHoldsNothingBack() {
        for (int step = 0; step < 40; step++) {
            assertThat(send("A1", wall)).isEqualTo(ON_TIME);
            assertThat(send("A2", wall + 2_000)).isEqualTo(ON_TIME);
            PartitionClock.Kind b = send("B", wall - 20 * MINUTE);
            if (step > 0) {
                assertThat(b).as("step " + step).isEqualTo(CLOCK_OFF_CONSENSUS);
            }
            tick();
        }
        PartitionClock.Verdict skewed = clock.judge("B", wall - 20 * MINUTE, false, wall);
        assertThat(skewed.offsetMs()).isBetween(-20 * MINUTE - STEP, -20 * MINUTE + STEP);
        assertThat(clock.watermark()).isEqualTo(wall - STEP - OOO - 1);
    }

    @Test
    void betweenTwoClocksTheOneNearerTheMonitorsWinsWhicheverSpokeFirst() {
        for (boolean skewedFirst : new boolean[] {true, false}) {
            PartitionClock fresh = clock(Duration.ofMillis(SILENT_HOLD));
            List<PartitionClock.Kind> ofA = new ArrayList<>();
            List<PartitionClock.Kind> ofB = new ArrayList<>();
            for (long t = NOW; t < NOW + 10 * MINUTE; t += STEP) {
                if (skewedFirst) {
                    ofB.add(fresh.judge("B", t - 20 * MINUTE, false, t).kind());
                    ofA.add(fresh.judge("A", t, false, t).kind());
                } else {
                    ofA.add(fresh.judge("A", t, false, t).kind());
                    ofB.add(fresh.judge("B", t - 20 * MINUTE, false, t).kind());
                }
            }
            assertThat(ofA).as("skewed first: " + skewedFirst).containsOnly(ON_TIME);
            // Only the very first, before the partition has a consensus, may pass.
            assertThat(ofB.subList(1, ofB.size())).containsOnly(CLOCK_OFF_CONSENSUS);
            assertThat(fresh.watermark()).isGreaterThan(NOW + 9 * MINUTE);
        }
    }

    @Test
    void aPublisherThatDeliversAMinuteOfBufferedSnapshotsLateLosesNone() {
        for (int step = 0; step < 8; step++) {
            send("A", wall);
            send("X", wall);
            tick();
        }
        // X's publisher cannot reach Kafka for 75 s; it buffers and then delivers all at once.
        List<Long> buffered = new ArrayList<>();
        for (int step = 0; step < 5; step++) {
            buffered.add(wall);
            send("A", wall);
            tick();
        }
        long watermarkBefore = clock.watermark();
        for (long t : buffered) {
            assertThat(send("X", t)).isEqualTo(ON_TIME);
        }
        assertThat(watermarkBefore).isLessThan(buffered.get(0));
    }

    @Test
    void aJobThatFallsSilentHoldsEventTimeForTheSilentHoldOnly() {
        send("A", wall);
        send("C", wall);
        long silentSince = wall;
        for (int step = 0; step < 12; step++) {
            tick();
            send("A", wall);
            if (wall - silentSince <= SILENT_HOLD) {
                assertThat(clock.watermark()).isLessThanOrEqualTo(silentSince - OOO - 1);
            }
        }
        // A vanished job no longer makes its partition's other jobs wait.
        assertThat(clock.watermark()).isEqualTo(wall - OOO - 1);
    }

    @Test
    void withoutASilentHoldAJobHoldsEventTimeUntilItIsTheBoundBehind() {
        clock = clock(Duration.ofMinutes(60));
        send("A", wall);
        send("C", wall);
        long silentSince = wall;
        for (int step = 0; step < 30; step++) {
            tick();
            send("A", wall);
            if (wall - silentSince <= 5 * MINUTE) {
                assertThat(clock.watermark()).isLessThanOrEqualTo(silentSince - OOO - 1);
            }
        }
        assertThat(clock.watermark()).isEqualTo(wall - OOO - 1);
    }

    @Test
    void aJobThatReturnsAfterTheSilentHoldIsAcceptedAndHoldsAgain() {
        send("A", wall);
        send("C", wall);
        for (int step = 0; step < 10; step++) {
            tick();
            send("A", wall);
        }
        // C comes back with its own next snapshots: none is late, and it is waited for again.
        assertThat(send("C", wall - 5_000)).isEqualTo(ON_TIME);
        tick();
        send("A", wall);
        assertThat(clock.judge("C", wall - 5_000, false, wall).kind()).isEqualTo(ON_TIME);
        clock.recompute(wall);
        assertThat(clock.watermark()).isLessThanOrEqualTo(wall - 5_000 - OOO - 1);
    }

    @Test
    void aJobThatSaidItEndedHoldsNothingBack() {
        send("A", wall);
        clock.judge("C", wall, true, wall);
        for (int step = 0; step < 4; step++) {
            tick();
            send("A", wall);
        }
        assertThat(clock.watermark()).isEqualTo(wall - OOO - 1);
    }

    @Test
    void theWatermarkNeverMovesBackForAJobThatAppearsBehindIt() {
        for (int step = 0; step < 10; step++) {
            send("A", wall);
            tick();
        }
        long watermark = clock.watermark();

        assertThat(send("New", wall - 2 * MINUTE)).isEqualTo(ON_TIME);
        clock.recompute(wall);

        assertThat(clock.watermark()).isEqualTo(watermark);
    }

    @Test
    void theLastSnapshotOfABurstMovesTheWatermarkAtOnce() {
        for (int step = 0; step < 4; step++) {
            send("A", wall);
            send("B", wall);
            tick();
        }
        // A burst 15 s later, well within the 200 ms between recomputations.
        send("A", wall);
        assertThat(clock.watermark()).isEqualTo(wall - STEP - OOO - 1);
        send("B", wall);
        assertThat(clock.watermark()).isEqualTo(wall - OOO - 1);
    }

    @Test
    void inAFastReplayAJobIsNeverSkewedAgainstAnOldConsensusOfItself() {
        // A replay reads hours of a sparse partition within milliseconds: one snapshot every 15 s
        // of event time, while the consensus is recomputed only every 256 records.
        wall = NOW + 24 * 60 * MINUTE;
        send("A", NOW);
        wall += 200;
        List<PartitionClock.Kind> verdicts = new ArrayList<>();
        for (long t = NOW; t < NOW + 6 * 60 * MINUTE; t += STEP) {
            verdicts.add(send("A", t));
            verdicts.add(send("A-lag", t));
        }
        assertThat(verdicts).containsOnly(ON_TIME);
        assertThat(clock.watermark()).isGreaterThan(NOW + 5 * 60 * MINUTE);
    }

    @Test
    void inAFastReplayAJobThatStartsReportingIsJudgedAgainstTheConsensusOfNow() {
        // A backlog read in one go: 25 minutes of A and B before C's first snapshot, fewer
        // records than a recomputation waits for, all at the same instant of the monitor's clock.
        long t = wall - 30 * MINUTE;
        send("A", t);
        send("B", t);
        wall += 200;
        for (int step = 0; step < 100; step++) {
            t += STEP;
            send("A", t);
            send("B", t);
        }
        assertThat(send("C", t)).isEqualTo(ON_TIME);
        assertThat(send("D", t - 20 * MINUTE)).isEqualTo(CLOCK_OFF_CONSENSUS);
    }

    @Test
    void aClockThatJumpsIsCaughtAtTheNextRecomputation() {
        // Snapshots of yesterday, replayed: only the other jobs can tell that B's clock jumped.
        long day = 24 * 60 * MINUTE;
        for (int step = 0; step < 10; step++) {
            send("A1", wall - day);
            send("A2", wall - day);
            send("B", wall - day);
            tick();
        }
        List<PartitionClock.Kind> ofB = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
            send("A1", wall - day);
            send("A2", wall - day);
            ofB.add(send("B", wall - day + 20 * MINUTE));
            tick();
        }
        assertThat(ofB.subList(1, ofB.size())).containsOnly(CLOCK_OFF_CONSENSUS);
        assertThat(clock.watermark()).isEqualTo(wall - day - STEP - OOO - 1);
    }

    @Test
    void aPartitionReadInOneBurstThenQuietHasItsWatermark() {
        // A backlog read in 20 ms, then nothing: no later record would bring a recomputation.
        for (int step = 0; step < 20; step++) {
            send("A", NOW + step * STEP);
            send("B", NOW + step * STEP);
            wall += 1;
        }
        assertThat(clock.watermark()).isEqualTo(NOW + 19 * STEP - OOO - 1);
    }

    @Test
    void theWatermarkIsProvisionalWhileTheFirstConsensusSettles() {
        send("A", wall);
        assertThat(clock.watermark()).isEqualTo(wall - OOO - 1);
        wall += 100;
        // A slower clock heard while the consensus settles takes the watermark back with it.
        assertThat(send("B", wall - 40_000)).isEqualTo(ON_TIME);
        assertThat(clock.watermark()).isEqualTo(wall - 40_000 - OOO - 1);
        // A clock far off is not judged until the consensus has settled.
        assertThat(send("C", wall - 20 * MINUTE)).isEqualTo(ON_TIME);

        wall += 100;
        send("A", wall);
        assertThat(send("C", wall - 20 * MINUTE)).isEqualTo(CLOCK_OFF_CONSENSUS);
        assertThat(clock.watermark()).isEqualTo(wall - 100 - 40_000 - OOO - 1);
    }

    @Test
    void inAFastReplayWhereMostJobsOfAPartitionStopTheRestKeepTheirVerdictsAndEventTime() {
        // Days of a partition replayed in seconds: D1 and D2 stop after 8 hours, A (its clock a
        // minute ahead of theirs) runs 8 hours more. On the wall clock the stopped jobs are never
        // silent; in the partition's event time they are silent 90 s after their last snapshot,
        // and out of the consensus 5 minutes after it, as they would be live.
        replay();
        long stop = NOW + 8 * 60 * MINUTE;
        long dLast = NOW;
        long aNewest = NOW;
        List<PartitionClock.Kind> ofA = new ArrayList<>();
        List<String> wrongWatermarks = new ArrayList<>();
        for (long t = NOW; t < NOW + 16 * 60 * MINUTE; t += STEP) {
            if (t < stop) {
                send("D1", t);
                send("D2", t);
                dLast = t;
            }
            aNewest = t + MINUTE;
            ofA.add(send("A", aNewest));
            long sinceStop = t - dLast;
            if (sinceStop > 0 && sinceStop <= SILENT_HOLD) {
                // The stopped jobs may have only buffered (a Kafka outage at their publisher).
                if (clock.watermark() > dLast - OOO - 1) {
                    wrongWatermarks.add("released early at +" + sinceStop);
                }
            } else if (sinceStop > SILENT_HOLD + STEP) {
                if (clock.watermark() != aNewest - OOO - 1) {
                    wrongWatermarks.add("held at +" + sinceStop + ": " + clock.watermark());
                }
            }
            wall += 1;
        }
        assertThat(ofA).containsOnly(ON_TIME);
        assertThat(wrongWatermarks).isEmpty();
        // Long out of the consensus (recomputed every 256 records): A alone is the partition's
        // time.
        clock.recompute(wall);
        assertThat(clock.consensus()).isEqualTo(aNewest);
    }

    @Test
    void inAFastReplayAJobThatStopsHoldsEventTimeForTheSilentHoldOfEventTimeOnly() {
        replay();
        long cLast = NOW + 60 * MINUTE;
        for (long t = NOW; t <= cLast; t += STEP) {
            send("A", t);
            send("C", t);
            wall += 1;
        }
        for (long t = cLast + STEP; t < cLast + 60 * MINUTE; t += STEP) {
            assertThat(send("A", t)).isEqualTo(ON_TIME);
            if (t - cLast <= SILENT_HOLD) {
                assertThat(clock.watermark()).as("+" + (t - cLast)).isEqualTo(cLast - OOO - 1);
            } else {
                assertThat(clock.watermark()).as("+" + (t - cLast)).isEqualTo(t - OOO - 1);
            }
            wall += 1;
        }
    }

    @Test
    void inAFastReplayOneClockThatJumpsAheadMakesNoOtherJobSilent() {
        // B's clock jumps 4 minutes (within the bound) and later 20 minutes ahead. Neither jump
        // may release A1 and A2, who keep reporting: none of their snapshots falls behind the
        // watermark.
        replay();
        List<String> behindWatermark = new ArrayList<>();
        List<PartitionClock.Kind> ofA = new ArrayList<>();
        long t = NOW;
        for (int step = 0; step < 400; step++, t += STEP) {
            long jump = step < 100 ? 0 : step < 200 ? 4 * MINUTE : 24 * MINUTE;
            send("B", t + jump);
            for (String a : new String[] {"A1", "A2"}) {
                if (clock.watermark() >= t && step > 20) {
                    behindWatermark.add(a + " at step " + step);
                }
                ofA.add(send(a, t));
            }
            wall += 1;
        }
        assertThat(ofA).containsOnly(ON_TIME);
        assertThat(behindWatermark).isEmpty();
        assertThat(send("B", t + 24 * MINUTE)).isEqualTo(CLOCK_OFF_CONSENSUS);
    }

    @Test
    void whenMostJobsOfAPartitionDieAtOnceTheOneLeftIsNoClockSkew() {
        // Live: a cluster outage takes D1 and D2 down; A, whose clock runs 3 minutes ahead of
        // theirs, goes on. Until the dead jobs are out of the consensus (5 minutes), A's clock
        // moves more than the bound away from where they stopped.
        for (int step = 0; step < 20; step++) {
            send("D1", wall);
            send("D2", wall);
            assertThat(send("A", wall + 3 * MINUTE)).isEqualTo(ON_TIME);
            tick();
        }
        List<PartitionClock.Kind> ofA = new ArrayList<>();
        for (int step = 0; step < 40; step++) {
            ofA.add(send("A", wall + 3 * MINUTE));
            tick();
        }
        assertThat(ofA).containsOnly(ON_TIME);
        assertThat(clock.watermark()).isEqualTo(wall - STEP + 3 * MINUTE - OOO - 1);
    }

    @Test
    void aReplayReadInSecondsGivesTheVerdictsAndWatermarksOfRealTime() {
        // One scenario, read live (15 s of wall clock a step) and replayed a month later (1 ms a
        // record): B 4 minutes behind, X buffering 75 s, D stopping, E 20 minutes off.
        List<String> live = scenario(NOW);
        clock = clock(Duration.ofMillis(SILENT_HOLD));
        List<String> replayed = scenario(NOW + 30 * 24 * 60 * MINUTE);
        // The first 200 ms of the replay (the consensus settling) are its first 200 records.
        assertThat(replayed.subList(200, replayed.size()))
                .isEqualTo(live.subList(200, live.size()));
    }

    private List<String> scenario(long start) {
        wall = start;
        replaying = start != NOW;
        List<String> out = new ArrayList<>();
        List<Long> buffered = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            long t = NOW + step * STEP;
            record(out, "A", t);
            record(out, "B", t - 4 * MINUTE);
            if (step < 100) {
                record(out, "D", t);
            }
            if (step >= 50 && step < 55) {
                buffered.add(t);
            } else {
                for (long b : buffered) {
                    record(out, "X", b);
                }
                buffered.clear();
                record(out, "X", t);
            }
            if (step % 10 == 0) {
                record(out, "E", t - 20 * MINUTE);
            }
            record(out, "F", t + 30_000);
            if (!replaying) {
                wall = start + (step + 1) * STEP;
            }
        }
        return out;
    }

    private void record(List<String> out, String job, long timestamp) {
        out.add(job + " " + send(job, timestamp) + " " + clock.watermark());
        if (replaying) {
            wall += 1;
        }
    }

    @Test
    void humanDurations() {
        assertThat(PartitionClock.human(850)).isEqualTo("850ms");
        assertThat(PartitionClock.human(-40_000)).isEqualTo("-40s");
        assertThat(PartitionClock.human(270_000)).isEqualTo("4m30s");
        assertThat(PartitionClock.human(20 * MINUTE)).isEqualTo("20m");
    }

    @Test
    void thousandsOfJobsStartingAtOnceAreJudgedWithoutAPassOverAllPerJob() {
        send("first", wall);
        wall += 250; // settled
        long before = clock.recomputations();
        for (int job = 0; job < 5_000; job++) {
            assertThat(send("job-" + job, wall - 250)).isEqualTo(ON_TIME);
        }
        // A pass every max(256, jobs) records at most, not one for every new job.
        assertThat(clock.recomputations() - before).isLessThan(30);

        // One that does not clearly agree is still judged against the consensus as of now.
        assertThat(send("late-starter", wall - 4 * MINUTE)).isEqualTo(ON_TIME);
        assertThat(send("skewed", wall - 6 * MINUTE)).isEqualTo(CLOCK_OFF_CONSENSUS);
    }

    private static PartitionClock clock(Duration silentHold) {
        return new PartitionClock(
                Duration.ofMillis(OOO), Duration.ofMinutes(5), Duration.ofMinutes(5), silentHold);
    }

    private PartitionClock.Kind send(String job, long timestamp) {
        return clock.judge(job, timestamp, false, wall).kind();
    }

    /** A recording of this morning read a day later, one record a millisecond. */
    private void replay() {
        wall = NOW + 24 * 60 * MINUTE;
    }

    private void tick() {
        wall += STEP;
    }
}

package io.flinkwatch.job.detection.restart;

import static io.flinkwatch.job.detection.restart.RunRestarts.NOT_DOWN;
import static io.flinkwatch.job.detection.restart.RunRestarts.State.DOWN;
import static io.flinkwatch.job.detection.restart.RunRestarts.State.RUNNING;
import static io.flinkwatch.job.detection.restart.RunRestarts.State.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.detection.restart.RunRestarts.Seen;
import io.flinkwatch.job.detection.restart.RunRestarts.State;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Restarts of one run, from its samples (times in seconds). */
class RunRestartsTest {

    private final RunRestarts run = new RunRestarts();

    @Test
    void runningThenAnyOtherStatusThenRunningIsOneRestartCountedWhenItRunsAgain() {
        assertThat(observe(0, RUNNING, 0)).isEqualTo(Seen.NONE);
        assertThat(observe(10, DOWN, 1)).isEqualTo(Seen.NONE);
        // RESTARTING, FAILING, CREATED in a row are one outage.
        assertThat(observe(20, DOWN, 1)).isEqualTo(Seen.NONE);
        assertThat(observe(30, DOWN, 1)).isEqualTo(Seen.NONE);

        // The counter's increment at the outage's start is the same restart.
        assertThat(observe(40, RUNNING, 1)).isEqualTo(new Seen(1, 10_000));
        assertThat(observe(50, RUNNING, 1)).isEqualTo(Seen.NONE);
    }

    @Test
    void aCounterThatGrewWhileRunningIsARestartNoSampleCaught() {
        observe(0, RUNNING, 4);
        assertThat(observe(10, RUNNING, 5)).isEqualTo(new Seen(1, NOT_DOWN));
        assertThat(observe(20, RUNNING, 7)).isEqualTo(new Seen(2, NOT_DOWN));
        assertThat(observe(30, RUNNING, 7)).isEqualTo(Seen.NONE);
    }

    @Test
    void anOutageWithMoreRestartsThanOneCountsTheCounters() {
        observe(0, RUNNING, 0);
        observe(10, DOWN, 1);
        // It ran again between the samples, unseen, and failed once more.
        assertThat(observe(20, RUNNING, 2)).isEqualTo(new Seen(2, 10_000));
    }

    @Test
    void aSubmissionIsNoRestart() {
        // CREATED, INITIALIZING, then RUNNING: the job starts for the first time.
        assertThat(observe(0, DOWN, 0)).isEqualTo(Seen.NONE);
        assertThat(observe(10, DOWN, 0)).isEqualTo(Seen.NONE);
        assertThat(observe(20, RUNNING, 0)).isEqualTo(Seen.NONE);
    }

    @Test
    void theFirstCounterOfARunIsItsStartingPoint() {
        // Seen for the first time after 12 restarts (Flinkwatch started later than the job).
        assertThat(observe(0, RUNNING, 12)).isEqualTo(Seen.NONE);
        assertThat(observe(10, RUNNING, 12)).isEqualTo(Seen.NONE);
    }

    @Test
    void aCounterThatWentDownWasResetAndCountsNothing() {
        observe(0, RUNNING, 5);
        assertThat(observe(10, RUNNING, 0)).isEqualTo(Seen.NONE);
        // Counted from the new base on.
        assertThat(observe(20, RUNNING, 1)).isEqualTo(new Seen(1, NOT_DOWN));
    }

    @Test
    void aJobThatStaysDownHasNotRestarted() {
        observe(0, RUNNING, 0);
        for (long t = 10; t <= 600; t += 10) {
            assertThat(observe(t, DOWN, 1)).isEqualTo(Seen.NONE);
        }
    }

    @Test
    void withoutStatusOrUptimeOnlyTheCounterTells() {
        observe(0, UNKNOWN, 0);
        assertThat(observe(10, UNKNOWN, 1)).isEqualTo(new Seen(1, NOT_DOWN));
        assertThat(observe(20, UNKNOWN, Double.NaN)).isEqualTo(Seen.NONE);
        assertThat(observe(30, UNKNOWN, 1)).isEqualTo(Seen.NONE);
    }

    @Test
    void olderAndRepeatedSamplesAreIgnored() {
        observe(0, RUNNING, 0);
        observe(20, DOWN, 1);
        assertThat(observe(20, RUNNING, 1)).isEqualTo(Seen.NONE);
        assertThat(observe(10, RUNNING, 1)).isEqualTo(Seen.NONE);
        assertThat(observe(30, RUNNING, 1)).isEqualTo(new Seen(1, 20_000));
    }

    @Test
    void aCrashLoopOfShortOutagesCountsEveryRestart() {
        List<Seen> seen = new ArrayList<>();
        long t = 0;
        for (int loop = 0; loop < 4; loop++) {
            seen.add(observe(t, RUNNING, loop));
            seen.add(observe(t + 15, DOWN, loop + 1));
            t += 60;
        }
        seen.add(observe(t, RUNNING, 4));
        assertThat(seen.stream().mapToInt(Seen::restarts).sum()).isEqualTo(4);
    }

    @Test
    void theNewestReportedFailureCauseIsKept() {
        run.observe(0, RUNNING, 0, null);
        run.observe(10_000, DOWN, 1, "java.lang.OutOfMemoryError: Java heap space");
        run.observe(20_000, RUNNING, 1, null);
        assertThat(run.failureCause).isEqualTo("java.lang.OutOfMemoryError: Java heap space");
    }

    private Seen observe(long seconds, State state, double numRestarts) {
        return run.observe(seconds * 1000, state, numRestarts, null);
    }
}

package io.flinkwatch.job.analytics;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.analytics.JobRuns.Evaluated;
import org.junit.jupiter.api.Test;

/** Which runs of a job name are evaluated: staleness 60 s throughout. */
class JobRunsTest {

    private static final long STALENESS = seconds(60);

    @Test
    void aSoleRunIsEvaluatedAloneAndKeepsTheNamesHistory() {
        JobRuns runs = new JobRuns();
        runs.seen("a", seconds(0));
        runs.seen("a", seconds(10));

        assertThat(runs.evaluated(seconds(15), STALENESS))
                .containsExactly(new Evaluated("a", false, true));
        // 10 s + 60 s staleness: at 70 s the run is gone.
        assertThat(runs.evaluated(seconds(69), STALENESS)).hasSize(1);
        assertThat(runs.evaluated(seconds(70), STALENESS)).isEmpty();
    }

    @Test
    void aResubmissionIsTheOldIdGoneAndTheNewOneAloneEvaluated() {
        JobRuns runs = new JobRuns();
        // The old run's last snapshot at 100 s, the new run's first at 130 s.
        runs.seen("old", seconds(0));
        runs.seen("old", seconds(100));
        runs.seen("new", seconds(130));

        // Between the two, the old run is still the job (its last status decides).
        assertThat(runs.evaluated(seconds(120), STALENESS))
                .containsExactly(new Evaluated("old", false, true));
        // Once the new run speaks, the old one is superseded although within the staleness:
        // no namesakes, so the alerts keep their identity across the resubmission.
        assertThat(runs.evaluated(seconds(135), STALENESS))
                .containsExactly(new Evaluated("new", false, true));
        assertThat(runs.retire(seconds(135), STALENESS)).containsExactly("old");
        assertThat(runs.runs).containsOnlyKeys("new");
    }

    @Test
    void namesakesThatRunAtOnceAreEvaluatedEachOnItsOwnAndToldApart() {
        JobRuns runs = new JobRuns();
        for (long t = 0; t <= 600; t += 10) {
            runs.seen("b-started-later", seconds(t + 5));
            runs.seen("a", seconds(t));
        }

        // Eldest first: it keeps the name's baselines.
        assertThat(runs.evaluated(seconds(600), STALENESS))
                .containsExactly(
                        new Evaluated("a", true, true),
                        new Evaluated("b-started-later", true, false));
        assertThat(runs.retire(seconds(600), STALENESS)).isEmpty();
    }

    @Test
    void aNamesakeThatFallsSilentLeavesItsTwinAloneOnceStale() {
        JobRuns runs = new JobRuns();
        for (long t = 0; t <= 300; t += 10) {
            runs.seen("a", seconds(t));
            if (t <= 100) {
                runs.seen("b", seconds(t));
            }
        }
        // b falls silent after 100 s while a goes on. That is no resubmission (a was not first
        // seen after b's last snapshot): b is evaluated until its samples are stale.
        assertThat(runs.evaluated(seconds(150), STALENESS))
                .containsExactly(new Evaluated("a", true, true), new Evaluated("b", true, false));
        assertThat(runs.evaluated(seconds(160), STALENESS))
                .containsExactly(new Evaluated("a", false, true));
        assertThat(runs.retire(seconds(160), STALENESS)).containsExactly("b");
    }

    @Test
    void aRunSeenOnlyAfterTheInstantIsKeptForLaterInstants() {
        JobRuns runs = new JobRuns();
        runs.seen("a", seconds(0));
        runs.seen("b", seconds(200));

        assertThat(runs.evaluated(seconds(30), STALENESS))
                .containsExactly(new Evaluated("a", false, true));
        assertThat(runs.anyRecent(seconds(100), STALENESS)).isTrue();
        assertThat(runs.retire(seconds(100), STALENESS)).containsExactly("a");
        assertThat(runs.runs).containsOnlyKeys("b");
    }
}

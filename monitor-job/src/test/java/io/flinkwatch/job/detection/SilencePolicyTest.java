package io.flinkwatch.job.detection;

import static io.flinkwatch.job.detection.SilencePolicy.Due.NOTHING;
import static io.flinkwatch.job.detection.SilencePolicy.Due.RETIRED;
import static io.flinkwatch.job.detection.SilencePolicy.Due.SILENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Silence after 120 (seconds, say), retirement after 1000. */
class SilencePolicyTest {

    private static final SilencePolicy POLICY = new SilencePolicy(120, 1000);

    @Test
    void aTableOfSilences() {
        // now, since, absent, status -> due
        assertThat(POLICY.due(119, 0, false, null)).isEqualTo(NOTHING);
        assertThat(POLICY.due(120, 0, false, null)).isEqualTo(SILENT);
        assertThat(POLICY.due(500, 0, true, null)).isEqualTo(NOTHING); // already firing
        assertThat(POLICY.due(500, 0, false, "CANCELED")).isEqualTo(NOTHING); // ended on purpose
        assertThat(POLICY.due(500, 0, false, "FAILED"))
                .isEqualTo(SILENT); // a failure is no purpose
        assertThat(POLICY.due(1000, 0, true, null)).isEqualTo(RETIRED);
        assertThat(POLICY.due(1000, 0, false, "CANCELED")).isEqualTo(RETIRED);
    }

    @Test
    void theNextLookIsTheSilenceThenTheRetirement() {
        assertThat(POLICY.nextDeadline(0, false, null)).isEqualTo(120);
        assertThat(POLICY.nextDeadline(0, true, null)).isEqualTo(1000);
        assertThat(POLICY.nextDeadline(0, false, "FINISHED")).isEqualTo(1000);
    }

    record Run(long firstSnapshotAt, long lastSnapshotAt, String status, boolean absent)
            implements SilencePolicy.Run {}

    @Test
    void aTableOfRunsBesideNamesakes() {
        Run twin = new Run(0, 500, null, false);
        Run quiet = new Run(0, 300, null, false);
        // now, run, runs -> due
        assertThat(POLICY.runDue(419, quiet, List.of(twin, quiet)))
                .isEqualTo(SilencePolicy.RunDue.NOTHING);
        assertThat(POLICY.runDue(420, quiet, List.of(twin, quiet)))
                .isEqualTo(SilencePolicy.RunDue.SILENT);
        // Alone, its silence is the name's: nothing of its own.
        assertThat(POLICY.runDue(420, quiet, List.of(quiet)))
                .isEqualTo(SilencePolicy.RunDue.NOTHING);
        // The twin is silent too (its last snapshot 120 or more ago): the name's absence covers
        // both.
        assertThat(POLICY.runDue(620, quiet, List.of(twin, quiet)))
                .isEqualTo(SilencePolicy.RunDue.NOTHING);
        // Resubmitted: a run first seen after its last snapshot.
        Run successor = new Run(310, 500, null, false);
        assertThat(POLICY.runDue(420, quiet, List.of(successor, quiet)))
                .isEqualTo(SilencePolicy.RunDue.GONE);
        // Cancelled on purpose, retired.
        assertThat(POLICY.runDue(420, new Run(0, 300, "CANCELED", false), List.of(twin)))
                .isEqualTo(SilencePolicy.RunDue.GONE);
        assertThat(POLICY.runDue(1300, new Run(0, 300, null, true), List.of(twin)))
                .isEqualTo(SilencePolicy.RunDue.GONE);
    }

    @Test
    void afterARestartTheWallClockCountsFromTheRestart() {
        // Last arrival at 100; Flinkwatch was down and restarted at 5000.
        long since = SilencePolicy.wallClockSince(100, 5000);
        assertThat(since).isEqualTo(5000);
        assertThat(POLICY.due(5000, since, false, null)).isEqualTo(NOTHING);
        assertThat(POLICY.due(5120, since, false, null)).isEqualTo(SILENT);
        // Without a restart since, the last arrival counts.
        assertThat(SilencePolicy.wallClockSince(6000, 5000)).isEqualTo(6000);
    }
}

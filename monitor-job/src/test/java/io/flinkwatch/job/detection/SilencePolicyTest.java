package io.flinkwatch.job.detection;

import static io.flinkwatch.job.detection.SilencePolicy.Due.NOTHING;
import static io.flinkwatch.job.detection.SilencePolicy.Due.RETIRED;
import static io.flinkwatch.job.detection.SilencePolicy.Due.SILENT;
import static org.assertj.core.api.Assertions.assertThat;

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

package io.flinkwatch.ingest.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PartitionHistoryTest {

    private static final long HOUR = 3_600_000;

    @Test
    void caughtUpIsZeroRecordsAndZeroSeconds() {
        PartitionHistory history = new PartitionHistory();
        history.add(0, 100, 100, HOUR);
        assertThat(history.lagRecords()).isZero();
        assertThat(history.lagSeconds()).isZero();
    }

    @Test
    void lagInTimeIsInterpolatedFromTheLogEndHistory() {
        PartitionHistory history = new PartitionHistory();
        // Producers write 10 records/s; polls every 15 s.
        history.add(0, 1_000, 1_000, HOUR);
        history.add(15_000, 1_150, 1_100, HOUR);
        history.add(30_000, 1_300, 1_100, HOUR);
        // Committed 1100: the log end passed 1100 between t=0 (1000) and t=15 s (1150), at 10 s.
        // At t=30 s that record is 20 s old; 200 records behind.
        assertThat(history.lagRecords()).isEqualTo(200);
        assertThat(history.lagSeconds()).isCloseTo(20.0, within(1e-9));
    }

    @Test
    void aCommittedOffsetOlderThanTheHistoryIsExtrapolatedAtTheProductionRate() {
        PartitionHistory history = new PartitionHistory();
        history.add(0, 1_000, 500, HOUR);
        history.add(10_000, 1_100, 500, HOUR);
        // 10 records/s: offset 500 was produced 50 s before t=0; at t=10 s, 60 s ago.
        assertThat(history.lagSeconds()).isCloseTo(60.0, within(1e-9));
    }

    @Test
    void unknownWithOnePollBehindOrNoProduction() {
        PartitionHistory one = new PartitionHistory();
        one.add(0, 1_000, 500, HOUR);
        assertThat(one.lagSeconds()).isNaN();

        PartitionHistory idle = new PartitionHistory();
        idle.add(0, 1_000, 500, HOUR);
        idle.add(10_000, 1_000, 500, HOUR);
        assertThat(idle.lagSeconds()).isNaN();
        assertThat(idle.lagRecords()).isEqualTo(500);
    }

    @Test
    void consumptionRateOverTheWindow() {
        PartitionHistory history = new PartitionHistory();
        history.add(0, 0, 0, HOUR);
        history.add(60_000, 6_000, 3_000, HOUR);
        history.add(120_000, 12_000, 9_000, HOUR);
        // Window 60 s: from t=60 s to t=120 s, 6000 committed: 100/s.
        assertThat(history.consumedPerSecond(60_000)).isCloseTo(100.0, within(1e-9));
        // Window 2 min: 9000 over 120 s.
        assertThat(history.consumedPerSecond(120_000)).isCloseTo(75.0, within(1e-9));
        // A window shorter than the poll interval still uses the poll before the last.
        assertThat(history.consumedPerSecond(1_000)).isCloseTo(100.0, within(1e-9));
        assertThat(new PartitionHistory().consumedPerSecond(60_000)).isNaN();
    }

    @Test
    void oldPollsAreForgottenButTwoAreKept() {
        PartitionHistory history = new PartitionHistory();
        history.add(0, 0, 0, 30_000);
        history.add(15_000, 150, 0, 30_000);
        history.add(30_000, 300, 0, 30_000);
        history.add(45_000, 450, 0, 30_000);
        // t=0 is forgotten (older than 30 s before 45 s): offset 0 is extrapolated back to t=0.
        assertThat(history.lagSeconds()).isCloseTo(45.0, within(1e-9));
        // Polls out of order (a clock step back) are ignored.
        history.add(40_000, 10, 10, 30_000);
        assertThat(history.lagRecords()).isEqualTo(450);
    }
}

package io.flinkwatch.job.ingest;

import static io.flinkwatch.job.ingest.EventTimeLag.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Threshold 2 min, idleness 1 min, out-of-orderness 15 s (so watermark = newest − 15 001 ms). Times
 * are wall-clock milliseconds from T = 2026-01-05T00:00:00Z.
 */
class EventTimeLagTest {

    private static final long T = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    private static final long S = 1_000;
    private static final long M = 60 * S;
    private static final String TOPIC = "metrics";

    private final EventTimeLag lag = new EventTimeLag(2 * M, 1 * M);

    @Test
    void theLagIsTheWallClockMinusTheWatermark() {
        assertThat(lag.lagMs(T)).as("nothing seen yet").isZero();

        // A snapshot taken at T arrives at T + 2 s; the watermark is still before it.
        lag.onRecord(TOPIC, 0, T, T - 15_001, T + 2 * S);
        // (T + 2 000) − (T − 15 001)
        assertThat(lag.lagMs(T + 2 * S)).isEqualTo(17_001);
        assertThat(lag.lagMs(T + 10 * S)).isEqualTo(25_001);
    }

    @Test
    void beforeTheFirstWatermarkTheLagRunsFromTheFirstRecord() {
        lag.onRecord(TOPIC, 0, T, NONE, T + 1 * S);
        lag.onRecord(TOPIC, 0, T + 10 * S, NONE, T + 11 * S);

        assertThat(lag.lagMs(T + 41 * S)).isEqualTo(40 * S);
    }

    @Test
    void aSubtaskWhosePartitionsAreAllIdleHoldsNothingBack() {
        // Only dead letters, for more than the idleness timeout: the source marks it idle.
        for (long at = 0; at <= 90 * S; at += 10 * S) {
            lag.onRecord(TOPIC, 1, NONE, NONE, T + at);
        }
        assertThat(lag.lagMs(T + 30 * S)).as("within the idleness timeout").isEqualTo(30 * S);
        assertThat(lag.lagMs(T + 90 * S)).isZero();
        assertThat(lag.warning(T + 90 * S)).isEmpty();
    }

    @Test
    void theWarningNamesThePartitionBehindTheOthers() {
        // metrics-0 is current; metrics-1's publisher reports snapshots 5 minutes old.
        long now = T + 5 * M;
        lag.onRecord(TOPIC, 0, now - 2 * S, T - 15_001, now - 1 * S);
        lag.onRecord(TOPIC, 1, T, T - 15_001, now);

        // now − watermark = 5 min + 15.001 s
        assertThat(lag.lagMs(now)).isEqualTo(5 * M + 15_001);
        assertThat(lag.warning(now))
                .hasValue(
                        "Event time is 5m15s behind the wall clock (watermark 2026-01-04T23:59:44.999Z);"
                                + " partition metrics-1 holds it back: its newest accepted snapshot is from"
                                + " 2026-01-05T00:00:00Z, received 0ms ago; every other partition is ahead"
                                + " (the next oldest, metrics-0, is at 2026-01-05T00:04:58Z). No rule is"
                                + " evaluated past the watermark.");
    }

    @Test
    void idlePartitionsAreNotBlamed() {
        // metrics-1 has carried only junk since T; metrics-0 carries snapshots 3 minutes old.
        lag.onRecord(TOPIC, 1, NONE, NONE, T);
        long now = T + 3 * M;
        for (long at = T; at <= now; at += 10 * S) {
            lag.onRecord(TOPIC, 1, NONE, at - 3 * M - 15_001, at);
            lag.onRecord(TOPIC, 0, at - 3 * M, at - 3 * M - 15_001, at);
        }

        assertThat(lag.warning(now))
                .hasValueSatisfying(
                        text ->
                                assertThat(text)
                                        .startsWith("Event time is 3m15s behind the wall clock")
                                        .contains("partition metrics-0 holds it back")
                                        .contains(
                                                "it is the only partition of this subtask that is not idle")
                                        .doesNotContain("metrics-1"));
    }

    @Test
    void withIdlenessOffAPartitionOfOnlyDeadLettersIsTheHolder() {
        EventTimeLag noIdleness = new EventTimeLag(2 * M, 0);
        long now = T + 3 * M;
        for (long at = T; at <= now; at += 10 * S) {
            noIdleness.onRecord(TOPIC, 1, NONE, NONE, at);
            noIdleness.onRecord(TOPIC, 0, at, NONE, at);
        }

        assertThat(noIdleness.warning(now))
                .hasValueSatisfying(
                        text ->
                                assertThat(text)
                                        .startsWith(
                                                "Event time has not started 3m after the first metrics record"
                                                        + " arrived (no watermark yet)")
                                        .contains(
                                                "partition metrics-1 holds it back: it has delivered no accepted"
                                                        + " snapshot since 2026-01-05T00:00:00Z (only dead letters),"
                                                        + " and idleness is off (--watermark.idleness 0)"));
    }

    @Test
    void whenEveryPartitionIsBehindTheWarningSaysSo() {
        long now = T + 10 * M;
        lag.onRecord(TOPIC, 0, T, T - 15_001, now);
        lag.onRecord(TOPIC, 1, T + 1 * M, T - 15_001, now);

        assertThat(lag.warning(now))
                .hasValueSatisfying(
                        text ->
                                assertThat(text)
                                        .contains("partition metrics-0 holds it back")
                                        .contains(
                                                "the others are behind too: Flinkwatch itself may be slow"));
    }

    @Test
    void atMostOneWarningAMinuteAndNoneBelowTheThreshold() {
        lag.onRecord(TOPIC, 0, T, T - 15_001, T);
        // 2 min − 15.001 s of wall clock later, the watermark unchanged, the lag is exactly 2 min.
        long atThreshold = T + 2 * M - 15_001;
        lag.onRecord(TOPIC, 0, T + 100 * S, T - 15_001, atThreshold);
        assertThat(lag.lagMs(atThreshold)).isEqualTo(2 * M);
        assertThat(lag.warning(atThreshold)).as("not above the threshold").isEmpty();

        long first = T + 2 * M;
        lag.onRecord(TOPIC, 0, first - 1 * S, T - 15_001, first);
        assertThat(lag.warning(first)).isPresent();
        assertThat(lag.warning(first + 59 * S)).isEmpty();
        lag.onRecord(TOPIC, 0, first + 59 * S, T - 15_001, first + 59 * S);
        assertThat(lag.warning(first + 60 * S)).isPresent();
    }

    @Test
    void aZeroThresholdNeverWarns() {
        EventTimeLag off = new EventTimeLag(0, 1 * M);
        off.onRecord(TOPIC, 0, T, T - 15_001, T + 1 * S);
        assertThat(off.lagMs(T + 1 * S)).isPositive();
        assertThat(off.warning(T + 1 * S)).isEmpty();
    }

    @Test
    void durationsReadAsTwoUnits() {
        assertThat(EventTimeLag.human(850)).isEqualTo("850ms");
        assertThat(EventTimeLag.human(12_400)).isEqualTo("12s");
        assertThat(EventTimeLag.human(5 * M + 12 * S)).isEqualTo("5m12s");
        assertThat(EventTimeLag.human(5 * M)).isEqualTo("5m");
        assertThat(EventTimeLag.human(3 * 60 * M + 2 * M + 9 * S)).isEqualTo("3h2m");
        assertThat(EventTimeLag.human(49 * 60 * M)).isEqualTo("2d1h");
    }
}

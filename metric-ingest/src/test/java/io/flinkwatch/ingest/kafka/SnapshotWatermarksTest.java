package io.flinkwatch.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongFunction;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * The watermark strategy of one partition, driven as the Kafka source drives it: records as they
 * arrive, a periodic emission every 200 ms, idleness measured on the input activity clock (here a
 * manual one). The records carry the watermark of the partition's {@link PartitionClock}, as the
 * source's deserializer sets it; nothing is emitted in the 200 ms the first consensus takes to
 * settle. Out-of-orderness 5 s, idle timeout 2 s.
 */
class SnapshotWatermarksTest {

    private static final long T = 1_767_571_200_000L; // 2026-01-05T00:00:00Z
    private static final long EMIT_EVERY_MS = 200;
    private static final long TICK_MS = 100;

    private final ManualClock clock = new ManualClock();
    private final RecordingWatermarkOutput output = new RecordingWatermarkOutput();
    private final WatermarkStrategy<IngestedRecord> strategy =
            SnapshotWatermarks.strategy(Duration.ofSeconds(2));
    private final PartitionClock partition =
            new PartitionClock(
                    Duration.ofSeconds(5),
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(90));
    private final WatermarkGenerator<IngestedRecord> generator =
            strategy.createWatermarkGenerator(context(clock));
    private final TimestampAssigner<IngestedRecord> timestamps =
            strategy.createTimestampAssigner(() -> new UnregisteredMetricsGroup());
    private long elapsedMs;

    @Test
    void aPartitionWithOnlyDeadLettersGoesIdleAfterTheTimeout() {
        // Junk every 100 ms: records keep coming, event time never moves.
        long idleAt = runUntilIdle(Duration.ofSeconds(5), tick -> junk());

        assertThat(output.isIdle()).as("idle after 5 s of junk").isTrue();
        // The countdown starts at the first emission (200 ms); idle once more than 2 s have passed.
        assertThat(idleAt).isBetween(2_000L, 2_600L);
        assertThat(output.watermarks()).isEmpty();
    }

    @Test
    void aPartitionWhosePublisherBrokeGoesIdleAtItsLastGoodSnapshot() {
        feed(accepted(T));
        long idleAt = runUntilIdle(Duration.ofSeconds(5), tick -> junk());

        // Watermark = newest accepted − out-of-orderness − 1 ms.
        assertThat(output.watermarks()).isNotEmpty().containsOnly(T - 5_000 - 1);
        assertThat(output.isIdle()).isTrue();
        assertThat(idleAt).isBetween(2_000L, 2_600L);
    }

    @Test
    void aStuckPublisherResendingOneSnapshotGoesIdle() {
        // Valid snapshots, but always the same one: after the first, each is no newer than the
        // newest.
        runUntilIdle(Duration.ofSeconds(5), tick -> accepted(T));

        assertThat(output.isIdle()).isTrue();
        assertThat(output.watermarks()).containsOnly(T - 5_001);
    }

    @Test
    void newerSnapshotsAmongJunkKeepThePartitionActiveAndAloneMoveTheWatermark() {
        // For 10 s: a newer snapshot every 500 ms (10 s of event time each), junk in between.
        run(
                Duration.ofSeconds(10),
                tick -> tick % 5 == 0 ? accepted(T + tick / 5 * 10_000) : junk());

        assertThat(output.idleMarks()).as("never idle while event time moves").isZero();
        // The newest snapshot is from T + 19 × 10 s (ticks 0, 5, ..., 95).
        assertThat(output.lastWatermark()).isEqualTo(T + 190_000 - 5_001);
        assertThat(output.watermarks()).isSorted();

        // Then only junk: idle, and the watermark stays where the snapshots left it.
        run(Duration.ofSeconds(3), tick -> junk());
        assertThat(output.isIdle()).isTrue();
        assertThat(output.lastWatermark()).isEqualTo(T + 190_000 - 5_001);
    }

    @Test
    void anOlderSnapshotNeitherMovesTheWatermarkBackNorCountsAsActivity() {
        feed(accepted(T + 12_000));
        feed(accepted(T + 10_000));
        settle();
        emit();
        assertThat(output.lastWatermark()).isEqualTo(T + 12_000 - 5_001);

        // Older (but on-time) snapshots every 100 ms do not keep the partition active.
        runUntilIdle(Duration.ofSeconds(5), tick -> accepted(T + 11_000));
        assertThat(output.isIdle()).isTrue();
        assertThat(output.watermarks()).containsOnly(T + 12_000 - 5_001);
    }

    @Test
    void anIdlePartitionBecomesActiveWhenEventTimeMovesAgain() {
        runUntilIdle(Duration.ofSeconds(5), tick -> junk());
        assertThat(output.isIdle()).isTrue();

        feed(accepted(T));
        emit();
        assertThat(output.isIdle()).as("the first consensus settles").isTrue();
        settle();
        emit();

        assertThat(output.isIdle()).isFalse();
        assertThat(output.lastWatermark()).isEqualTo(T - 5_001);
        assertThat(output.idleMarks()).isEqualTo(1);
    }

    // --- driving the generator as the source does ----------------------------------------

    /**
     * Feeds the record of each 100 ms tick (none for null) for {@code span}, emitting every 200 ms.
     */
    private void run(Duration span, LongFunction<IngestedRecord> recordAtTick) {
        runUntilIdle(span, recordAtTick, false);
    }

    /** Like {@link #run}; returns the elapsed time at which the partition was first marked idle. */
    private long runUntilIdle(Duration span, LongFunction<IngestedRecord> recordAtTick) {
        return runUntilIdle(span, recordAtTick, true);
    }

    private long runUntilIdle(
            Duration span, LongFunction<IngestedRecord> recordAtTick, boolean stopWhenIdle) {
        long start = elapsedMs;
        long idleAt = -1;
        for (long tick = 0; tick * TICK_MS < span.toMillis(); tick++) {
            IngestedRecord record = recordAtTick.apply(tick);
            if (record != null) {
                feed(record);
            }
            clock.advanceTime(Duration.ofMillis(TICK_MS));
            elapsedMs += TICK_MS;
            if (elapsedMs % EMIT_EVERY_MS == 0) {
                emit();
                if (output.isIdle() && idleAt < 0) {
                    idleAt = elapsedMs - start;
                    if (stopWhenIdle) {
                        break;
                    }
                }
            }
        }
        return idleAt;
    }

    /** Lets the partition's first consensus settle (200 ms of input activity). */
    private void settle() {
        clock.advanceTime(Duration.ofMillis(PartitionClock.RECOMPUTE_EVERY_MS));
        elapsedMs += PartitionClock.RECOMPUTE_EVERY_MS;
    }

    private void feed(IngestedRecord record) {
        generator.onEvent(record, timestamps.extractTimestamp(record, T - 3_600_000), output);
    }

    private void emit() {
        generator.onPeriodicEmit(output);
    }

    /** A snapshot of one job, judged by the partition's clock as the source does. */
    private IngestedRecord accepted(long timestamp) {
        MetricSnapshot snapshot =
                new MetricSnapshot(
                        timestamp,
                        "c",
                        JobRef.of("j", "job"),
                        Scope.job(),
                        Map.of("uptime", 1.0),
                        null);
        long now = T + elapsedMs;
        PartitionClock.Verdict verdict = partition.judge("c/job", timestamp, false, now);
        assertThat(verdict.accepted()).isTrue();
        return IngestedRecord.accepted(
                snapshot,
                new IngestedRecord.Origin("metrics", 1, 0, timestamp, new byte[0]),
                partition.watermark(),
                verdict.progress());
    }

    private IngestedRecord junk() {
        return IngestedRecord.rejected(
                DeadLetter.of(
                        RejectionReason.MALFORMED_JSON,
                        "not valid JSON",
                        "metrics",
                        1,
                        0,
                        T,
                        new byte[] {'{'}),
                partition.watermark());
    }

    private static WatermarkGeneratorSupplier.Context context(RelativeClock clock) {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    @Test
    void aPartitionReadInOneShortBurstGetsItsWatermarkOnceTheConsensusSettles() {
        // Everything the partition has, read within 30 ms, then nothing more.
        feed(accepted(T));
        feed(accepted(T + 15_000));
        feed(accepted(T + 30_000));
        emit();
        assertThat(output.watermarks()).as("not before the consensus settles").isEmpty();

        run(Duration.ofMillis(600), tick -> null);

        assertThat(output.lastWatermark()).isEqualTo(T + 30_000 - 5_001);
    }
}

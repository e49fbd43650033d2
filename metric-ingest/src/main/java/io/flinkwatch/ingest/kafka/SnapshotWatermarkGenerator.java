package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks for one Kafka partition of snapshots (the Kafka source creates one generator per
 * split). The watermark itself is decided per monitored job by the partition's {@link
 * PartitionClock}, as the records are read, and each record carries it; this emits it, and marks
 * the partition idle when no job in it has moved event time for the idle timeout.
 *
 * <p>Only progress counts as activity: an accepted snapshot newer than its job's newest. Dead
 * letters, stale resends and late arrivals do not keep a partition active, so a broken publisher
 * cannot stall event time, and with it every rule, for every monitored job. Flink's {@code
 * withIdleness} counts every record as activity.
 */
public final class SnapshotWatermarkGenerator implements WatermarkGenerator<IngestedRecord> {

    private final long idleTimeoutNanos;
    private final RelativeClock clock;
    private long watermark = PartitionClock.NONE;

    /** When the first watermark came: the partition's first consensus settles from then on. */
    private long firstEventNanos;

    private boolean idle;

    /** Whether a record moved event time since the last emission. */
    private boolean progressed;

    /** Whether the countdown runs: the last emission found no progress. */
    private boolean quiet;

    private long quietSinceNanos;

    /**
     * @param idleTimeout time without progress after which the partition is idle; zero: never
     * @param clock measures idleness, and the time the partition's first consensus takes to settle;
     *     the source's input activity clock, which stands still while the source is backpressured,
     *     so a partition is not called idle for not being read
     */
    public SnapshotWatermarkGenerator(Duration idleTimeout, RelativeClock clock) {
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative: " + idleTimeout);
        }
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.clock = clock;
    }

    @Override
    public void onEvent(IngestedRecord record, long eventTimestamp, WatermarkOutput output) {
        // The partition's latest word: provisional at first (it may move back as slower jobs are
        // heard), never moving back once settled; Flink emits no watermark lower than the last.
        if (record.watermark() != PartitionClock.NONE) {
            if (watermark == PartitionClock.NONE) {
                firstEventNanos = clock.relativeTimeNanos();
            }
            watermark = record.watermark();
        }
        if (record.progress()) {
            progressed = true;
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (isIdle(clock.relativeTimeNanos())) {
            if (!idle) {
                idle = true;
                output.markIdle();
            }
            return;
        }
        if (watermark == PartitionClock.NONE
                || clock.relativeTimeNanos() - firstEventNanos
                        < TimeUnit.MILLISECONDS.toNanos(PartitionClock.RECOMPUTE_EVERY_MS)) {
            // The first consensus settles: the partition holds event time until it is idle.
            return;
        }
        if (idle) {
            idle = false;
            output.markActive();
        }
        output.emitWatermark(new Watermark(watermark));
    }

    /**
     * As in Flink's {@code WatermarksWithIdleness}, the countdown starts at the first emission that
     * finds no progress since the previous one, so a partition goes idle no earlier than the
     * timeout after its last progress.
     */
    private boolean isIdle(long nowNanos) {
        if (progressed) {
            progressed = false;
            quiet = false;
            return false;
        }
        if (!quiet) {
            quiet = true;
            quietSinceNanos = nowNanos;
            return false;
        }
        return idleTimeoutNanos > 0 && nowNanos - quietSinceNanos > idleTimeoutNanos;
    }
}

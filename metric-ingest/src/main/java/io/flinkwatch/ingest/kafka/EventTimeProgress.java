package io.flinkwatch.ingest.kafka;

import java.time.Duration;

/**
 * How far one stream of snapshots (one Kafka partition, as the source reads it) has carried event
 * time: its newest snapshot timestamp, the watermark that allows, and whether it has stopped moving
 * event time for long enough to count as idle.
 *
 * <p>Only progress counts as activity: a snapshot newer than every one before. A record that cannot
 * move event time (a dead letter, a snapshot without a timestamp, one at or behind the newest: a
 * stuck publisher re-sending, a late arrival) neither advances the watermark nor keeps the stream
 * active. So a partition that carries nothing else goes idle after the timeout and no longer holds
 * event time back for the others. Counting every record as activity, as Flink's {@code
 * withIdleness} does, would let such a partition hold it back forever.
 *
 * <p>Time is an input: {@link #isIdle(long)} takes the clock reading, so this is plain Java. One
 * instance per stream, used by one thread. Event time per monitored job would keep one instance per
 * job of a partition.
 */
public final class EventTimeProgress {

    /** The timestamp and watermark of a stream that has carried no snapshot yet. */
    public static final long NONE = Long.MIN_VALUE;

    private final long outOfOrdernessMs;
    private final long idleTimeoutNanos;

    private long newest = NONE;

    /** Whether a snapshot moved event time since the last {@link #isIdle(long)}. */
    private boolean progressed;

    /** Whether the countdown runs: the last {@link #isIdle(long)} found no progress. */
    private boolean quiet;

    /** The clock reading of the first {@link #isIdle(long)} that found no progress. */
    private long quietSinceNanos;

    /**
     * @param outOfOrderness how far behind the newest snapshot an older one may still arrive
     * @param idleTimeout time without progress after which the stream is idle; zero: never idle
     */
    public EventTimeProgress(Duration outOfOrderness, Duration idleTimeout) {
        if (outOfOrderness.isNegative() || idleTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "out-of-orderness and idle timeout must not be negative, got "
                            + outOfOrderness
                            + " and "
                            + idleTimeout);
        }
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /**
     * Takes an accepted snapshot's timestamp ({@link #NONE} for none).
     *
     * @return whether it moved event time forward (and so counts as activity)
     */
    public boolean onSnapshot(long timestamp) {
        if (timestamp <= newest) {
            return false;
        }
        newest = timestamp;
        progressed = true;
        return true;
    }

    /** The newest snapshot timestamp, or {@link #NONE}. */
    public long newest() {
        return newest;
    }

    /**
     * The newest timestamp minus the out-of-orderness, minus 1 ms (a snapshot exactly
     * out-of-orderness behind the newest is still on time), or {@link #NONE} before any snapshot.
     */
    public long watermark() {
        if (newest < Long.MIN_VALUE + outOfOrdernessMs + 1) {
            return NONE;
        }
        return newest - outOfOrdernessMs - 1;
    }

    /**
     * Whether the stream is idle at {@code nowNanos}: no progress for longer than the idle timeout.
     * Meant to be called at a steady pace (each periodic watermark emission), which keeps reading
     * the clock off the per-record path. As in Flink's {@code WatermarksWithIdleness}, the
     * countdown starts at the first call that finds no progress since the previous one, so a stream
     * goes idle no earlier than the timeout after its last progress, and no earlier than Flink's
     * would after its last record.
     *
     * @param nowNanos a monotonic clock reading, nanoseconds
     */
    public boolean isIdle(long nowNanos) {
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

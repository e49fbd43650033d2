package io.flinkwatch.job.ingest;

import io.flinkwatch.job.config.FlinkwatchParameters;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How far the event time of one router subtask lags behind the wall clock, and which metrics
 * partition holds it back. Flinkwatch evaluates every rule in event time, so a watermark that stops
 * is an outage of the monitor itself; this makes it visible (a gauge) and names the cause (a
 * warning).
 *
 * <p>It is a diagnosis from what the subtask sees: the watermark at each record, and per source
 * partition the newest accepted snapshot and when that last moved forward (on the wall clock). A
 * partition counts as idle, as the watermark generator decides it, when it has not moved event time
 * forward for the idleness timeout; the holder is the partition that is not idle and has the oldest
 * newest snapshot. Per record: one map lookup (usually a cache hit) and a few stores.
 *
 * <p>Time is an input ({@code now}, epoch milliseconds). Updated by the task thread only; {@link
 * #lagMs(long)} may be read from the metrics thread.
 */
public final class EventTimeLag {

    /** No timestamp: a dead letter's, or the watermark before the first one. */
    public static final long NONE = Long.MIN_VALUE;

    /** At most one warning per this much wall-clock time. */
    static final long WARN_EVERY_MS = 60_000;

    private final long thresholdMs;
    private final long idlenessMs;
    private final Map<PartitionKey, PartitionTime> partitions = new HashMap<>();
    private PartitionTime lastUsed;

    private volatile long watermark = NONE;
    private volatile long firstRecordAt = NONE;

    /** The latest wall-clock time at which any partition moved event time (or the first record). */
    private volatile long lastProgressAt = NONE;

    private long nextWarningAt = Long.MIN_VALUE;

    /**
     * @param thresholdMs lag above which to warn; 0 never warns
     * @param idlenessMs time without progress after which a partition no longer holds event time
     *     back; 0: partitions are never idle
     */
    public EventTimeLag(long thresholdMs, long idlenessMs) {
        this.thresholdMs = thresholdMs;
        this.idlenessMs = idlenessMs;
    }

    /**
     * One record as the router sees it.
     *
     * @param timestamp the snapshot's timestamp, {@link #NONE} for a dead letter
     * @param watermark the subtask's current watermark ({@link #NONE} before the first)
     * @param now wall clock, epoch milliseconds
     */
    public void onRecord(String topic, int partition, long timestamp, long watermark, long now) {
        if (firstRecordAt == NONE) {
            firstRecordAt = now;
            lastProgressAt = now;
        }
        if (watermark != this.watermark) {
            this.watermark = watermark;
        }
        PartitionTime time = lookup(topic, partition, now);
        if (timestamp != NONE && timestamp > time.newest) {
            time.newest = timestamp;
            time.progressedAt = now;
            lastProgressAt = now;
        }
    }

    /**
     * Wall clock minus the watermark, in milliseconds. Before the first watermark: the time since
     * the first record arrived. 0 before any record, and while every partition of the subtask is
     * idle (it then holds nothing back).
     */
    public long lagMs(long now) {
        long first = firstRecordAt;
        if (first == NONE || (idlenessMs > 0 && now - lastProgressAt > idlenessMs)) {
            return 0;
        }
        long mark = watermark;
        return Math.max(0, now - (mark == NONE ? first : mark));
    }

    /**
     * The warning to log now, if the lag exceeds the threshold and no warning was given in the last
     * minute: it names the partition that holds event time back.
     */
    public Optional<String> warning(long now) {
        if (thresholdMs <= 0 || now < nextWarningAt) {
            return Optional.empty();
        }
        long lag = lagMs(now);
        if (lag <= thresholdMs) {
            return Optional.empty();
        }
        // Set before looking, so that the scan over partitions happens at most once a minute.
        nextWarningAt = now + WARN_EVERY_MS;
        PartitionTime holder = null;
        PartitionTime next = null;
        for (PartitionTime time : partitions.values()) {
            if (idle(time, now)) {
                continue;
            }
            if (holder == null || time.newest < holder.newest) {
                next = holder;
                holder = time;
            } else if (next == null || time.newest < next.newest) {
                next = time;
            }
        }
        if (holder == null) {
            return Optional.empty();
        }
        return Optional.of(message(lag, holder, next, now));
    }

    private String message(long lag, PartitionTime holder, PartitionTime next, long now) {
        long mark = watermark;
        StringBuilder text = new StringBuilder();
        if (mark == NONE) {
            text.append("Event time has not started ")
                    .append(human(lag))
                    .append(" after the first metrics record arrived (no watermark yet)");
        } else {
            text.append("Event time is ")
                    .append(human(lag))
                    .append(" behind the wall clock (watermark ")
                    .append(Instant.ofEpochMilli(mark))
                    .append(')');
        }
        text.append("; partition ").append(holder.key).append(" holds it back: ");
        if (holder.newest == NONE) {
            text.append("it has delivered no accepted snapshot since ")
                    .append(Instant.ofEpochMilli(holder.progressedAt))
                    .append(" (only dead letters)");
            if (idlenessMs == 0) {
                text.append(", and idleness is off (--")
                        .append(FlinkwatchParameters.IDLENESS.name())
                        .append(" 0)");
            }
        } else {
            text.append("its newest accepted snapshot is from ")
                    .append(Instant.ofEpochMilli(holder.newest))
                    .append(", received ")
                    .append(human(now - holder.progressedAt))
                    .append(" ago");
        }
        if (next == null) {
            text.append("; it is the only partition of this subtask that is not idle");
        } else {
            text.append("; every other partition is ahead (the next oldest, ")
                    .append(next.key)
                    .append(", is at ")
                    .append(
                            next.newest == NONE
                                    ? "no accepted snapshot"
                                    : Instant.ofEpochMilli(next.newest))
                    .append(')');
            if (next.newest == NONE || now - next.newest > thresholdMs) {
                text.append(
                        "; the others are behind too: Flinkwatch itself may be slow (backpressure,"
                                + " catching up)");
            }
        }
        text.append(". No rule is evaluated past the watermark.");
        return text.toString();
    }

    private boolean idle(PartitionTime time, long now) {
        return idlenessMs > 0 && now - time.progressedAt > idlenessMs;
    }

    private PartitionTime lookup(String topic, int partition, long now) {
        PartitionTime cached = lastUsed;
        if (cached != null && cached.key.partition == partition && cached.key.topic.equals(topic)) {
            return cached;
        }
        PartitionKey key = new PartitionKey(topic, partition);
        PartitionTime time = partitions.computeIfAbsent(key, k -> new PartitionTime(k, now));
        lastUsed = time;
        return time;
    }

    /**
     * A duration in its two largest units: {@code 850ms}, {@code 12s}, {@code 5m12s}, {@code 3h2m},
     * {@code 2d1h}.
     */
    static String human(long ms) {
        if (ms < 1_000) {
            return ms + "ms";
        }
        long s = ms / 1_000;
        long d = s / 86_400;
        long h = s % 86_400 / 3_600;
        long m = s % 3_600 / 60;
        long sec = s % 60;
        if (d > 0) {
            return d + "d" + (h > 0 ? h + "h" : "");
        }
        if (h > 0) {
            return h + "h" + (m > 0 ? m + "m" : "");
        }
        if (m > 0) {
            return m + "m" + (sec > 0 ? sec + "s" : "");
        }
        return sec + "s";
    }

    private record PartitionKey(String topic, int partition) {
        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    /** What one source partition has shown: its newest accepted snapshot, and when that moved. */
    private static final class PartitionTime {
        final PartitionKey key;
        long newest = NONE;

        /** Wall clock of the latest progress; the first record's arrival until then. */
        long progressedAt;

        PartitionTime(PartitionKey key, long firstSeenAt) {
            this.key = key;
            this.progressedAt = firstSeenAt;
        }
    }
}

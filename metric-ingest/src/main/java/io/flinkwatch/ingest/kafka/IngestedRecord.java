package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import javax.annotation.Nullable;

/**
 * What the metrics source produces for each Kafka record: either an accepted snapshot (with where
 * it came from) or a dead letter. Every record also carries the event time its partition allows
 * ({@link PartitionClock}), which the watermark generator emits.
 *
 * @param snapshot the parsed snapshot; null when the record could not be parsed
 * @param origin where the snapshot came from; null when it could not be parsed
 * @param deadLetter why the record was rejected; null for an accepted snapshot
 * @param clockSkew for a snapshot rejected for its job's clock: which job, and how far off
 * @param watermark the partition's watermark after this record ({@link PartitionClock#NONE} for
 *     none yet)
 * @param progress whether an accepted snapshot is its job's newest, so it moves event time
 */
public record IngestedRecord(
        @Nullable MetricSnapshot snapshot,
        @Nullable Origin origin,
        @Nullable DeadLetter deadLetter,
        @Nullable ClockSkew clockSkew,
        long watermark,
        boolean progress) {

    /** An accepted snapshot. */
    public static IngestedRecord accepted(
            MetricSnapshot snapshot, Origin origin, long watermark, boolean progress) {
        return new IngestedRecord(snapshot, origin, null, null, watermark, progress);
    }

    /** A record that was rejected, with nothing more to say than the dead letter. */
    public static IngestedRecord rejected(DeadLetter deadLetter, long watermark) {
        return new IngestedRecord(null, null, deadLetter, null, watermark, false);
    }

    /** A valid snapshot rejected because its job's clock is off by more than the bound. */
    public static IngestedRecord skewed(
            MetricSnapshot snapshot,
            Origin origin,
            DeadLetter deadLetter,
            ClockSkew skew,
            long watermark) {
        return new IngestedRecord(snapshot, origin, deadLetter, skew, watermark, false);
    }

    public boolean isAccepted() {
        return deadLetter == null;
    }

    /**
     * The Kafka coordinates and bytes of a parsed record.
     *
     * @param topic source topic
     * @param partition source partition
     * @param offset source offset
     * @param recordTimestamp Kafka record timestamp
     * @param raw the record's value bytes
     */
    public record Origin(
            String topic, int partition, long offset, long recordTimestamp, byte[] raw) {

        public DeadLetter reject(RejectionReason reason, String message) {
            return DeadLetter.of(reason, message, topic, partition, offset, recordTimestamp, raw);
        }
    }

    /**
     * A job whose clock is further off than the bound: its snapshots are not monitored.
     *
     * @param cluster the job's cluster
     * @param jobName the job's name
     * @param jobId the job's id
     * @param timestamp the rejected snapshot's timestamp
     * @param reference what it was measured against: the partition's consensus time, or this
     *     monitor's wall clock
     * @param offsetMs timestamp minus reference (negative: behind)
     * @param againstMonitorClock whether the reference is this monitor's wall clock (the clock is
     *     ahead of it) rather than the partition's other jobs
     */
    public record ClockSkew(
            String cluster,
            String jobName,
            String jobId,
            long timestamp,
            long reference,
            long offsetMs,
            boolean againstMonitorClock) {}
}

package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import javax.annotation.Nullable;

/**
 * What the metrics source produces for each Kafka record: either a valid snapshot (with where it
 * came from, in case it must still be rejected later, e.g. for arriving late) or a dead letter.
 *
 * @param snapshot the parsed snapshot; null for a dead letter
 * @param origin where the snapshot came from; null for a dead letter
 * @param deadLetter the rejected record; null for a snapshot
 */
public record IngestedRecord(
        @Nullable MetricSnapshot snapshot,
        @Nullable Origin origin,
        @Nullable DeadLetter deadLetter) {

    public static IngestedRecord accepted(MetricSnapshot snapshot, Origin origin) {
        return new IngestedRecord(snapshot, origin, null);
    }

    public static IngestedRecord rejected(DeadLetter deadLetter) {
        return new IngestedRecord(null, null, deadLetter);
    }

    public boolean isAccepted() {
        return snapshot != null;
    }

    /**
     * The Kafka coordinates and bytes of an accepted record.
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
}

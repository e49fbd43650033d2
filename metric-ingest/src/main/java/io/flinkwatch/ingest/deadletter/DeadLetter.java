package io.flinkwatch.ingest.deadletter;

import io.flinkwatch.ingest.snapshot.RejectionReason;
import java.util.Objects;

/**
 * A record from the metrics topic that was not used, with why and where it came from. Dead letters
 * go to their own output (a Kafka topic by default) so that nothing is dropped silently.
 *
 * @param reason the category of the problem
 * @param message what exactly was wrong, naming the field
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset: the original record can always be read back from there
 * @param recordTimestamp the Kafka record's timestamp, epoch milliseconds
 * @param raw the record's value bytes, cut to at most {@link #MAX_RAW_BYTES}
 * @param rawSize the record's full size in bytes
 */
public record DeadLetter(
        RejectionReason reason,
        String message,
        String topic,
        int partition,
        long offset,
        long recordTimestamp,
        byte[] raw,
        int rawSize) {

    /** Dead letters keep at most this many bytes of the original record. */
    public static final int MAX_RAW_BYTES = 64 * 1024;

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(raw, "raw");
    }

    /** A dead letter for a record, keeping up to {@link #MAX_RAW_BYTES} of its bytes. */
    public static DeadLetter of(
            RejectionReason reason,
            String message,
            String topic,
            int partition,
            long offset,
            long recordTimestamp,
            byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        byte[] kept =
                bytes.length <= MAX_RAW_BYTES
                        ? bytes
                        : java.util.Arrays.copyOf(bytes, MAX_RAW_BYTES);
        return new DeadLetter(
                reason, message, topic, partition, offset, recordTimestamp, kept, bytes.length);
    }

    public boolean truncated() {
        return raw.length < rawSize;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeadLetter that
                && reason == that.reason
                && message.equals(that.message)
                && topic.equals(that.topic)
                && partition == that.partition
                && offset == that.offset
                && recordTimestamp == that.recordTimestamp
                && java.util.Arrays.equals(raw, that.raw)
                && rawSize == that.rawSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, message, topic, partition, offset);
    }

    @Override
    public String toString() {
        return "DeadLetter["
                + reason
                + " "
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + ": "
                + message
                + "]";
    }
}

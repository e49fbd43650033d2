package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into exactly one {@link IngestedRecord}: a parsed snapshot, or a dead
 * letter that says why the record could not be used. It never throws on bad input, so a poison
 * record cannot stop the source.
 *
 * <p>It also keeps event time, per partition and per monitored job ({@link PartitionClock}): a
 * snapshot is LATE only against its own job's newest snapshot, and CLOCK_SKEW when its job's clock
 * is further off than the bound. Every record carries the watermark its partition then allows. Runs
 * in the source's task thread, one instance per source subtask.
 */
public final class SnapshotDeserializationSchema
        implements KafkaRecordDeserializationSchema<IngestedRecord> {

    private static final long serialVersionUID = 1L;

    /** Separates the parts of a job's clock key; it cannot appear in a parsed name. */
    private static final char SEPARATOR = '\u001f';

    private final SnapshotParser parser;
    private final ClockSettings clocks;
    private final Clock wallClock;

    private transient Map<String, PartitionClock> partitions;

    /**
     * How event time is kept per job.
     *
     * @param outOfOrderness how far behind its job's newest snapshot a snapshot may still arrive
     * @param maxClockSkew how far a job's clock may be off and still be monitored; also how long a
     *     job is live after its last snapshot, in its partition's event time (and on the wall clock
     *     while read live)
     * @param silentJobHold how long a job that falls silent still holds event time back, measured
     *     the same way (at most the skew)
     */
    public record ClockSettings(
            Duration outOfOrderness, Duration maxClockSkew, Duration silentJobHold)
            implements Serializable {}

    public SnapshotDeserializationSchema(
            SnapshotParser parser, ClockSettings clocks, Clock wallClock) {
        this.parser = parser;
        this.clocks = clocks;
        this.wallClock = wallClock;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestedRecord> out) {
        out.collect(ingest(record));
    }

    IngestedRecord ingest(ConsumerRecord<byte[], byte[]> record) {
        PartitionClock clock = clock(record.topic(), record.partition());
        MetricSnapshot snapshot;
        try {
            snapshot = parser.parse(record.value());
        } catch (InvalidSnapshotException e) {
            return IngestedRecord.rejected(
                    DeadLetter.of(
                            e.reason(),
                            e.getMessage(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.value()),
                    clock.watermark());
        }
        IngestedRecord.Origin origin =
                new IngestedRecord.Origin(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.value());
        String status = snapshot.job().status();
        PartitionClock.Verdict verdict =
                clock.judge(
                        timeline(snapshot),
                        snapshot.timestamp(),
                        status != null
                                && (JobStatuses.endedOnPurpose(status) || "FAILED".equals(status)),
                        wallClock.millis());
        return switch (verdict.kind()) {
            case ON_TIME ->
                    IngestedRecord.accepted(
                            snapshot, origin, clock.watermark(), verdict.progress());
            case LATE ->
                    IngestedRecord.rejected(
                            origin.reject(RejectionReason.LATE, lateMessage(snapshot, verdict)),
                            clock.watermark());
            case CLOCK_AHEAD_OF_MONITOR, CLOCK_OFF_CONSENSUS ->
                    IngestedRecord.skewed(
                            snapshot,
                            origin,
                            origin.reject(
                                    RejectionReason.CLOCK_SKEW,
                                    skewMessage(snapshot, verdict, record.partition())),
                            new IngestedRecord.ClockSkew(
                                    snapshot.cluster(),
                                    snapshot.job().name(),
                                    snapshot.job().id(),
                                    snapshot.timestamp(),
                                    verdict.reference(),
                                    verdict.offsetMs(),
                                    verdict.kind() == PartitionClock.Kind.CLOCK_AHEAD_OF_MONITOR),
                            clock.watermark());
        };
    }

    /**
     * The clock a snapshot is judged by: its job's, as one publisher stamps it. Snapshots observed
     * from outside the job (consumer lag) come from another publisher, with its own clock.
     */
    static String timeline(MetricSnapshot snapshot) {
        return snapshot.cluster()
                + SEPARATOR
                + snapshot.job().name()
                + (snapshot.external() ? SEPARATOR + "external" : "");
    }

    private String lateMessage(MetricSnapshot snapshot, PartitionClock.Verdict verdict) {
        return "snapshot taken at "
                + Instant.ofEpochMilli(snapshot.timestamp())
                + " is "
                + PartitionClock.human(-verdict.offsetMs())
                + " older than the newest snapshot of its job ("
                + describe(snapshot)
                + ", taken at "
                + Instant.ofEpochMilli(verdict.reference())
                + "), more than the out-of-orderness of "
                + PartitionClock.human(clocks.outOfOrderness().toMillis())
                + " allows; raise --watermark.out-of-orderness if one job's snapshots regularly"
                + " arrive this far out of order";
    }

    private String skewMessage(MetricSnapshot snapshot, PartitionClock.Verdict verdict, int p) {
        String direction = verdict.offsetMs() > 0 ? "ahead of" : "behind";
        String against =
                verdict.kind() == PartitionClock.Kind.CLOCK_AHEAD_OF_MONITOR
                        ? "this monitor's clock"
                        : "the other jobs of partition " + p + " (their consensus time)";
        return "the clock of "
                + describe(snapshot)
                + " is "
                + PartitionClock.human(Math.abs(verdict.offsetMs()))
                + " "
                + direction
                + " "
                + against
                + ": its snapshot is stamped "
                + Instant.ofEpochMilli(snapshot.timestamp())
                + ", against "
                + Instant.ofEpochMilli(verdict.reference())
                + ". Clocks off by more than --watermark.max-clock-skew ("
                + PartitionClock.human(clocks.maxClockSkew().toMillis())
                + ") are not monitored; synchronise the clocks of the cluster's hosts (NTP), or"
                + " check that its publisher is not delivering snapshots this late";
    }

    private static String describe(MetricSnapshot snapshot) {
        return "job '"
                + snapshot.job().name()
                + "' ("
                + snapshot.job().id()
                + ") on cluster '"
                + snapshot.cluster()
                + "'";
    }

    private PartitionClock clock(String topic, int partition) {
        if (partitions == null) {
            partitions = new HashMap<>();
        }
        return partitions.computeIfAbsent(
                topic + SEPARATOR + partition,
                k ->
                        new PartitionClock(
                                clocks.outOfOrderness(),
                                clocks.maxClockSkew(),
                                clocks.maxClockSkew(),
                                clocks.silentJobHold()));
    }

    @Override
    public TypeInformation<IngestedRecord> getProducedType() {
        return TypeInformation.of(IngestedRecord.class);
    }
}

package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for snapshots: the snapshot's own timestamp, with the watermark that its partition's
 * {@link PartitionClock} allows (per monitored job: the slowest live job's newest snapshot minus
 * the out-of-orderness), and a partition marked idle when no job in it has moved event time for a
 * while (without idleness, a partition that carries no data would hold event time back forever).
 */
public final class SnapshotWatermarks {

    private SnapshotWatermarks() {}

    /**
     * @param idleness time without a newer accepted snapshot after which a partition no longer
     *     holds event time back; zero turns idleness detection off
     */
    public static WatermarkStrategy<IngestedRecord> strategy(Duration idleness) {
        return WatermarkStrategy.<IngestedRecord>forGenerator(
                        context ->
                                new SnapshotWatermarkGenerator(
                                        idleness, context.getInputActivityClock()))
                // Dead letters carry no usable event time.
                .withTimestampAssigner(
                        (record, kafkaTimestamp) ->
                                record.isAccepted()
                                        ? record.snapshot().timestamp()
                                        : Long.MIN_VALUE);
    }
}

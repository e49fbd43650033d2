package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for snapshots: the snapshot's own timestamp, with watermarks that allow a bounded
 * out-of-orderness and mark a partition idle when it has stopped moving event time for a while
 * (without idleness, a partition that carries no data would hold event time back forever). Only
 * accepted snapshots count ({@link SnapshotWatermarkGenerator}): a partition that carries nothing
 * but dead letters or stale snapshots goes idle too.
 */
public final class SnapshotWatermarks {

    private SnapshotWatermarks() {}

    /**
     * @param outOfOrderness how far behind the newest snapshot an older one may still arrive
     * @param idleness time without a newer accepted snapshot after which a partition no longer
     *     holds event time back; zero turns idleness detection off
     */
    public static WatermarkStrategy<IngestedRecord> strategy(
            Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<IngestedRecord>forGenerator(
                        context ->
                                new SnapshotWatermarkGenerator(
                                        outOfOrderness, idleness, context.getInputActivityClock()))
                // Dead letters carry no usable event time; they must not move the watermark.
                .withTimestampAssigner(
                        (record, kafkaTimestamp) ->
                                record.isAccepted()
                                        ? record.snapshot().timestamp()
                                        : Long.MIN_VALUE);
    }
}

package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for snapshots: the snapshot's own timestamp, with watermarks that allow a bounded
 * out-of-orderness and mark a partition idle when it has been silent for a while (without
 * idleness, a partition that carries no data would hold event time back forever).
 */
public final class SnapshotWatermarks {

    private SnapshotWatermarks() {}

    /**
     * @param outOfOrderness how far behind the newest snapshot an older one may still arrive
     * @param idleness silence after which a partition no longer holds event time back; zero turns
     *     idleness detection off
     */
    public static WatermarkStrategy<IngestedRecord> strategy(
            Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<IngestedRecord> strategy =
                WatermarkStrategy.<IngestedRecord>forBoundedOutOfOrderness(outOfOrderness)
                        // Dead letters carry no usable event time; they must not move the watermark.
                        .withTimestampAssigner(
                                (record, kafkaTimestamp) ->
                                        record.isAccepted()
                                                ? record.snapshot().timestamp()
                                                : Long.MIN_VALUE);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }
}

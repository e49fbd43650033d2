package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks for one Kafka partition of snapshots (the Kafka source creates one generator per
 * split): bounded out-of-orderness plus idleness, where only accepted snapshots that move event
 * time forward count, as {@link EventTimeProgress} decides. Dead letters carry no event time and
 * must not keep a partition active: a broken publisher would otherwise stall event time, and with
 * it every rule, for every monitored job.
 *
 * <p>Used instead of Flink's {@code forBoundedOutOfOrderness(..).withIdleness(..)}, whose idleness
 * counts every record as activity.
 */
public final class SnapshotWatermarkGenerator implements WatermarkGenerator<IngestedRecord> {

    private final EventTimeProgress progress;
    private final RelativeClock clock;
    private boolean idle;

    /**
     * @param clock measures idleness; the source's input activity clock, which stands still while
     *     the source is backpressured, so a partition is not called idle for not being read
     */
    public SnapshotWatermarkGenerator(
            Duration outOfOrderness, Duration idleTimeout, RelativeClock clock) {
        this.progress = new EventTimeProgress(outOfOrderness, idleTimeout);
        this.clock = clock;
    }

    @Override
    public void onEvent(IngestedRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record.isAccepted()) {
            progress.onSnapshot(eventTimestamp);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (progress.isIdle(clock.relativeTimeNanos())) {
            if (!idle) {
                idle = true;
                output.markIdle();
            }
            return;
        }
        long watermark = progress.watermark();
        if (watermark == EventTimeProgress.NONE) {
            // Nothing accepted yet: the partition holds event time until it is idle.
            return;
        }
        if (idle) {
            idle = false;
            output.markActive();
        }
        output.emitWatermark(new Watermark(watermark));
    }
}

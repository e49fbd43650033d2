package io.flinkwatch.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/** A {@link WatermarkOutput} that remembers what a generator told it, for tests. */
final class RecordingWatermarkOutput implements WatermarkOutput {

    private final List<Long> watermarks = new ArrayList<>();
    private boolean idle;
    private int idleMarks;

    @Override
    public void emitWatermark(Watermark watermark) {
        watermarks.add(watermark.getTimestamp());
        idle = false;
    }

    @Override
    public void markIdle() {
        idle = true;
        idleMarks++;
    }

    @Override
    public void markActive() {
        idle = false;
    }

    List<Long> watermarks() {
        return watermarks;
    }

    /** The latest watermark, or null before the first. */
    Long lastWatermark() {
        return watermarks.isEmpty() ? null : watermarks.get(watermarks.size() - 1);
    }

    boolean isIdle() {
        return idle;
    }

    int idleMarks() {
        return idleMarks;
    }
}

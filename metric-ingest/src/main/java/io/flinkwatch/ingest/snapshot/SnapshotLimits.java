package io.flinkwatch.ingest.snapshot;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * What the parser accepts: the largest record, and how far in the future of the monitor's own clock
 * a timestamp may be. Timestamps before 2000 are always implausible (a publisher sending seconds
 * instead of milliseconds lands there).
 *
 * @param maxBytes largest accepted record, in bytes
 * @param maxFutureSkew how far ahead of the monitor's clock a timestamp may be
 */
public record SnapshotLimits(int maxBytes, Duration maxFutureSkew) implements Serializable {

    /** 2000-01-01T00:00:00Z. */
    public static final long MIN_TIMESTAMP = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

    public static final int MAX_METRICS = 10_000;
    public static final int MAX_VERTICES = 10_000;
    public static final int MAX_STRING_LENGTH = 1_024;

    public static SnapshotLimits defaults() {
        return new SnapshotLimits(512 * 1024, Duration.ofMinutes(10));
    }
}

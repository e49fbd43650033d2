package io.flinkwatch.job.analytics;

import java.io.Serializable;

/**
 * When rules are evaluated: at every multiple of the interval in event time (like Prometheus'
 * evaluation interval), using samples at or before that instant. Aligning to multiples makes the
 * outcome independent of when the job started or which snapshot arrived first.
 *
 * @param intervalMs the evaluation interval
 * @param stalenessMs a series with no sample for this long is gone (Prometheus' lookback delta)
 */
public record EvaluationGrid(long intervalMs, long stalenessMs) implements Serializable {

    public EvaluationGrid {
        if (intervalMs <= 0 || stalenessMs <= 0) {
            throw new IllegalArgumentException("interval and staleness must be positive");
        }
    }

    /** The first evaluation instant at or after {@code time}. */
    public long evaluationFor(long time) {
        return Math.floorDiv(time + intervalMs - 1, intervalMs) * intervalMs;
    }

    public long next(long evaluation) {
        return evaluation + intervalMs;
    }
}

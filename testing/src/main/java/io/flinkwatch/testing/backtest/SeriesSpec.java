package io.flinkwatch.testing.backtest;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.annotation.Nullable;

/**
 * Which series of the recording lies behind an episode, and the lines to draw beside it.
 *
 * @param title what the series is, e.g. {@code busyTimeMsPerSecond}
 * @param unit the unit of its values, for the axis
 * @param level the scope of the snapshots that carry it; null counts snapshots of any scope
 * @param value the value of a matching snapshot (NaN when it does not carry the metric)
 * @param sumSubtasks whether the values of all subtasks of the vertex are summed (a vertex rate)
 * @param vertexName the vertex, when the series is about one (null: not filtered)
 * @param subtask the subtask (-1: not filtered)
 * @param operatorName the operator (null: not filtered)
 * @param references horizontal lines: thresholds and baselines
 * @param trend the fitted slope at firing, when the rule is a trend
 * @param evidenceKey the evidence value that is this series' value at firing, marked on the plot
 */
public record SeriesSpec(
        String title,
        String unit,
        @Nullable ScopeLevel level,
        ToDoubleFunction<MetricSnapshot> value,
        boolean sumSubtasks,
        @Nullable String vertexName,
        int subtask,
        @Nullable String operatorName,
        List<Reference> references,
        @Nullable Trend trend,
        @Nullable String evidenceKey) {

    public SeriesSpec {
        references = List.copyOf(references);
    }

    /** A horizontal line: a threshold or a baseline. */
    public record Reference(String label, double value) {}

    /**
     * A straight line through {@code (at, value)} with {@code slopePerSecond}, drawn over the
     * {@code rangeMs} before {@code at}: the trend the rule fitted when it fired.
     */
    public record Trend(long at, double value, double slopePerSecond, long rangeMs) {}

    /** True when {@code snapshot} belongs to this series (cluster and job are matched before). */
    public boolean matches(MetricSnapshot snapshot) {
        if (level == null) {
            return true;
        }
        if (snapshot.scope().level() != level) {
            return false;
        }
        if (vertexName != null && !vertexName.equals(snapshot.scope().vertexName())) {
            return false;
        }
        if (!sumSubtasks && subtask >= 0 && subtask != snapshot.scope().subtask()) {
            return false;
        }
        return operatorName == null || operatorName.equals(snapshot.scope().operatorName());
    }

    /** Counts snapshots per minute, for alerts about their absence. */
    public boolean countsSnapshots() {
        return level == null;
    }
}

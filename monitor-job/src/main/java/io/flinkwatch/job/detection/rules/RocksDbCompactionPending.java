package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.analytics.operator.OperatorSamples;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * FlinkRocksDbCompactionPending: RocksDB's {@code compaction-pending} stays at or above a threshold
 * (any column family of an operator) at every evaluation for a while: RocksDB cannot keep up with
 * writes, reads degrade, and checkpoint duration usually grows next. Needs Flink's RocksDB native
 * metrics ({@code state.backend.rocksdb.metrics.compaction-pending: true}).
 */
public final class RocksDbCompactionPending extends BaseRule implements OperatorRule {

    public static final String NAME = "FlinkRocksDbCompactionPending";

    private final double threshold;

    public RocksDbCompactionPending(double threshold, Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.STATE_SIZE);
        this.threshold = threshold;
    }

    @Override
    public long rangeMs() {
        return 0;
    }

    @Override
    public void evaluate(OperatorView view, long time, long lookbackMs, List<RuleOutcome> holding) {
        for (OperatorSamples operator : view.operators()) {
            double pending = operator.compactionPending.latest(time, lookbackMs);
            if (!(pending >= threshold)) {
                continue;
            }
            holding.add(
                    holds(
                            AlertInstances.operator(
                                    this,
                                    view.cluster(),
                                    view.jobName(),
                                    operator.vertexName,
                                    operator.subtask,
                                    operator.operatorName),
                            view.jobId(),
                            Evidence.builder()
                                    .value("compactionPending", pending)
                                    .value("threshold", threshold)
                                    .build()));
        }
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "RocksDB compactions stay pending: "
                + Texts.where(labels)
                + ", operator "
                + labels.get("operator_name");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "RocksDB has reported pending compactions at every evaluation for "
                + Texts.words(sustainFor())
                + ": it cannot keep up with writes. Read performance degrades and checkpoint duration"
                + " usually grows next; consider more TaskManager memory for RocksDB, fewer writes or"
                + " a faster disk.";
    }
}

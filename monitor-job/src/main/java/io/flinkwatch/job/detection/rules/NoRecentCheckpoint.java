package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS;
import static io.flinkwatch.ingest.snapshot.FlinkMetricNames.TOTAL_NUMBER_OF_CHECKPOINTS;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FlinkNoRecentCheckpoint: a running job has completed no checkpoint for a multiple of its
 * checkpoint interval (or a fixed time when the interval is unknown). Time since the last completed
 * checkpoint (its timestamp gauge, or else when {@code numberOfCompletedCheckpoints} last changed)
 * — or since the current run started, if that is later — as of the newest sample is the measure, so
 * the condition needs no further waiting. A job that reports checkpointing off (interval 0), or
 * never triggered a checkpoint while its interval is unknown, is left alone.
 */
public final class NoRecentCheckpoint extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkNoRecentCheckpoint";

    private final double intervalMultiple;
    private final Duration fallback;

    public NoRecentCheckpoint(double intervalMultiple, Duration fallback, Duration sustainFor) {
        super(NAME, Severity.CRITICAL, sustainFor, Runbooks.CHECKPOINTS);
        this.intervalMultiple = intervalMultiple;
        this.fallback = fallback;
    }

    @Override
    public Set<String> metrics() {
        return Set.of(
                LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                NUMBER_OF_COMPLETED_CHECKPOINTS,
                TOTAL_NUMBER_OF_CHECKPOINTS);
    }

    @Override
    public long rangeMs() {
        return 0;
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        long lookback = context.lookbackMs();
        if (!job.running(time, lookback)) {
            return;
        }
        double interval = job.checkpointIntervalMs(time, lookback);
        if (interval == 0) {
            return;
        }
        if (Double.isNaN(interval)
                && !(job.latest(TOTAL_NUMBER_OF_CHECKPOINTS, time, lookback) > 0)
                && !(job.latest(NUMBER_OF_COMPLETED_CHECKPOINTS, time, lookback) > 0)) {
            return;
        }
        long limit = interval > 0 ? Math.round(intervalMultiple * interval) : fallback.toMillis();
        // Measured at the newest job-level sample, not at the evaluation: a job whose metrics
        // stopped has not stopped checkpointing as far as anyone knows (that is
        // FlinkMetricsAbsent).
        long observedAt = Long.MIN_VALUE;
        for (String metric :
                List.of(
                        LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                        NUMBER_OF_COMPLETED_CHECKPOINTS,
                        TOTAL_NUMBER_OF_CHECKPOINTS)) {
            observedAt = Math.max(observedAt, job.series(metric).latestTime(time, lookback));
        }
        if (observedAt == Long.MIN_VALUE) {
            return;
        }
        long reference = Long.MIN_VALUE;
        double lastCompleted = job.latest(LAST_CHECKPOINT_COMPLETED_TIMESTAMP, time, lookback);
        if (lastCompleted > 0) {
            reference = (long) lastCompleted;
        } else {
            // Without the gauge (older Flink versions, exporters, recordings), a checkpoint
            // completed when the completed count last changed.
            reference = job.completedCountChangedAt(time);
        }
        long runningSince = job.runningSince(time, lookback);
        if (runningSince != Long.MIN_VALUE && runningSince != Long.MAX_VALUE) {
            reference = Math.max(reference, runningSince);
        }
        if (reference == Long.MIN_VALUE) {
            return;
        }
        long age = observedAt - reference;
        if (age <= limit) {
            return;
        }
        Evidence evidence =
                Evidence.builder()
                        .value("sinceLastCheckpointMs", age)
                        .value("limitMs", limit)
                        .value("checkpointIntervalMs", interval)
                        .value("lastCheckpointCompletedAt", lastCompleted)
                        .build();
        holding.add(holds(AlertInstances.job(this, job.cluster, job.jobName), job.jobId, evidence));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "No checkpoint completed recently for " + Texts.where(labels);
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        Double age = evidence.values().get("sinceLastCheckpointMs");
        Double limit = evidence.values().get("limitMs");
        return "The running job has completed no checkpoint for "
                + (age == null
                        ? "a long time"
                        : Texts.words(Duration.ofMillis(age.longValue() / 1000 * 1000)))
                + ", more than the limit of "
                + (limit == null ? "unknown" : Texts.words(Duration.ofMillis(limit.longValue())))
                + ". A crash now would replay everything since the last completed checkpoint.";
    }
}

package io.flinkwatch.job.detection.rules;

import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.analytics.job.JobHealthState;
import java.time.Duration;

/** Where a trend over a job's current run starts. */
final class TrendWindow {

    private TrendWindow() {}

    /**
     * The start of the range a trend is computed over at {@code time}: the range, cut to the
     * current run of the job plus the restart grace, so that a restart or a resubmission never
     * looks like a trend. {@link Long#MAX_VALUE} while the job is not running or still in its
     * grace.
     */
    static long start(JobHealthState job, long time, Duration range, EvaluationContext context) {
        long runningSince = job.runningSince(time, context.lookbackMs());
        if (runningSince == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long from = time - range.toMillis();
        if (runningSince != Long.MIN_VALUE) {
            long settled = runningSince + context.restartGraceMs();
            if (settled >= time) {
                return Long.MAX_VALUE;
            }
            from = Math.max(from, settled);
        }
        return from;
    }
}

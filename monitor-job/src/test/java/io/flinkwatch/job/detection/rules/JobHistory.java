package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.Snapshots.seconds;

import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A job's job-level history for rule tests: one snapshot every 10 s, built by a function of the
 * second, and the evaluations of a rule on it. Lookback 5 minutes, restart grace 2 minutes.
 */
final class JobHistory {

    static final EvaluationContext CONTEXT = new EvaluationContext(seconds(300), seconds(120));

    private final JobHealthState state = new JobHealthState();

    /** Adds a snapshot every 10 s from {@code from} to {@code to} seconds (inclusive). */
    JobHistory every10s(long from, long to, LongFunction<Snapshots> snapshotAt) {
        for (long t = from; t <= to; t += 10) {
            state.absorb(snapshotAt.apply(t).at(seconds(t)).build());
        }
        return this;
    }

    List<RuleOutcome> evaluate(JobHealthRule rule, long second) {
        List<RuleOutcome> holding = new ArrayList<>();
        rule.evaluate(state, seconds(second), CONTEXT, holding);
        return holding;
    }

    boolean holds(JobHealthRule rule, long second) {
        return !evaluate(rule, second).isEmpty();
    }

    /** A running job whose uptime started {@code runningSince} seconds in. */
    static Snapshots running(long second, long runningSince) {
        return Snapshots.job("orders")
                .status("RUNNING")
                .checkpointInterval(60_000)
                .metric("uptime", seconds(second - runningSince));
    }
}

package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.Snapshots.seconds;

import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.analytics.operator.OperatorRule.OperatorView;
import io.flinkwatch.job.analytics.operator.OperatorSamples;
import io.flinkwatch.job.detection.RuleOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * Replays a series through a rule without Flink, as the job does: a sample every 15 s, an
 * evaluation on the 15 s grid right after it, samples evicted as the analytics operator evicts
 * them, and the sustained-condition pattern's "for": a run of holding evaluations fires at its
 * first evaluation at least the rule's duration after the raise.
 */
final class TrendReplay {

    static final long STEP_SECONDS = 15;
    static final long LOOKBACK_MS = seconds(300);
    static final EvaluationContext CONTEXT = new EvaluationContext(LOOKBACK_MS, seconds(120));

    private TrendReplay() {}

    /** Uniform in [-1, 1), a pure function of the seed and the second: seeded jitter. */
    static double jitter(long seed, long second) {
        return 2 * new SplittableRandom(seed * 1_000_003L + second).nextDouble() - 1;
    }

    /** The firing times, in seconds, of an operator rule over {@code [from, to]} seconds. */
    static List<Long> operatorFirings(
            OperatorRule rule, long from, long to, LongFunction<Snapshots> sampleAt) {
        OperatorSamples samples = new OperatorSamples();
        Sustained sustained = new Sustained(rule.sustainFor().toMillis() / 1000);
        for (long t = from; t <= to; t += STEP_SECONDS) {
            samples.add(sampleAt.apply(t).at(seconds(t)).build());
            List<RuleOutcome> holding = new ArrayList<>();
            rule.evaluate(
                    new OperatorView("prod", "orders", "job-1", List.of(samples)),
                    seconds(t),
                    LOOKBACK_MS,
                    holding);
            sustained.evaluated(t, !holding.isEmpty());
            samples.evict(seconds(t), rule.rangeMs(), LOOKBACK_MS);
        }
        return sustained.firings;
    }

    /** The firing times, in seconds, of a job-level rule over {@code [from, to]} seconds. */
    static List<Long> jobFirings(
            JobHealthRule rule, long from, long to, LongFunction<Snapshots> sampleAt) {
        JobHealthState job = new JobHealthState();
        Sustained sustained = new Sustained(rule.sustainFor().toMillis() / 1000);
        for (long t = from; t <= to; t += STEP_SECONDS) {
            job.absorb(sampleAt.apply(t).at(seconds(t)).build());
            List<RuleOutcome> holding = new ArrayList<>();
            rule.evaluate(job, seconds(t), CONTEXT, holding);
            sustained.evaluated(t, !holding.isEmpty());
            job.evict(seconds(t), metric -> rule.rangeMs() + LOOKBACK_MS);
        }
        return sustained.firings;
    }

    /** The first firing at or after {@code second}, or {@link Long#MAX_VALUE}. */
    static long firstFiringFrom(List<Long> firings, long second) {
        return firings.stream().filter(t -> t >= second).findFirst().orElse(Long.MAX_VALUE);
    }

    /** A running job (for a day already) that checkpoints every minute. */
    static Snapshots runningJob(long second) {
        return Snapshots.job("orders")
                .status("RUNNING")
                .checkpointInterval(60_000)
                .metric("uptime", seconds(86_400 + second));
    }

    /** The pattern's "for", on evaluations in time order. */
    private static final class Sustained {
        private final long sustainSeconds;
        private final List<Long> firings = new ArrayList<>();
        private long raisedAt = Long.MIN_VALUE;
        private boolean fired;

        Sustained(long sustainSeconds) {
            this.sustainSeconds = sustainSeconds;
        }

        void evaluated(long second, boolean holds) {
            if (!holds) {
                raisedAt = Long.MIN_VALUE;
                fired = false;
                return;
            }
            if (raisedAt == Long.MIN_VALUE) {
                raisedAt = second;
            }
            if (!fired && second - raisedAt >= sustainSeconds) {
                firings.add(second);
                fired = true;
            }
        }
    }
}

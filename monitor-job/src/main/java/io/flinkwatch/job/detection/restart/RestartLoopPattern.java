package io.flinkwatch.job.detection.restart;

import io.flinkwatch.job.detection.rules.JobRestartLoop;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The Flink CEP sequence pattern for a restart loop: {@code restarts} restarts of the job, the
 * first and the last less than {@code within} apart. Its events are the job's completed restarts
 * (RUNNING, then not, then RUNNING again; or {@code numRestarts} grown), which {@link
 * RestartTransitions} reads from the job's status samples.
 *
 * <p>Each restart opens a partial match and {@code within} prunes those that grow too old, so a key
 * holds at most one partial match per restart of the last {@code within}. A match skips past its
 * last restart: the next match needs as many new restarts, which keeps a loop that goes on from
 * matching at every restart (the alert is firing anyway; {@link RestartTransitions} keeps it so
 * while restarts go on).
 */
public final class RestartLoopPattern {

    public static final String RESTARTS = "restarts";

    private RestartLoopPattern() {}

    public static Pattern<JobRestart, ?> pattern(JobRestartLoop rule) {
        return Pattern.<JobRestart>begin(RESTARTS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new AnyRestart())
                .times(rule.restarts())
                .within(rule.within());
    }

    /** Every event is a restart; the pattern is about how many and how close. */
    static final class AnyRestart extends SimpleCondition<JobRestart> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(JobRestart restart) {
            return true;
        }
    }
}

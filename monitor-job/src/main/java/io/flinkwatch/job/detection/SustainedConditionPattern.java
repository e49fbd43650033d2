package io.flinkwatch.job.detection;

import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The Flink CEP pattern for "the condition held at every evaluation for a duration" (PromQL's
 * {@code for}): an evaluation that raises the condition, not followed by one that clears it,
 * followed by an evaluation that still holds at least the rule's duration after the raise. Each
 * evaluation carries its rule's duration, so one pattern (and one operator, keyed by alert
 * instance) serves every rule.
 *
 * <p>Because the evaluations are edges, a single CLEARED anywhere in the run kills the partial
 * match: a spike shorter than the duration never fires. The match completes on the first evaluation
 * at or after raise + duration, which is exactly when Prometheus would fire. One partial match
 * exists per raise, so the cost per evaluation does not grow with the duration.
 *
 * <p>Rules with a duration of zero fire on the raise itself. A pattern cannot end on its first
 * event for some rules and wait for a second one for others, so those raises bypass CEP and fire
 * directly ({@code GridAnalyzer}).
 */
public final class SustainedConditionPattern {

    public static final String RAISED = "raised";
    public static final String CLEARED = "cleared";
    public static final String SUSTAINED = "sustained";

    private SustainedConditionPattern() {}

    public static Pattern<ConditionEvaluation, ?> pattern() {
        return Pattern.<ConditionEvaluation>begin(
                        RAISED, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new KindIs(Kind.RAISED))
                .notFollowedBy(CLEARED)
                .where(new EndsTheRun())
                .followedBy(SUSTAINED)
                .where(new HeldSinceRaise());
    }

    /** Matches evaluations of one kind. */
    static final class KindIs extends SimpleCondition<ConditionEvaluation> {
        private static final long serialVersionUID = 1L;
        private final Kind kind;

        KindIs(Kind kind) {
            this.kind = kind;
        }

        @Override
        public boolean filter(ConditionEvaluation evaluation) {
            return evaluation.kind() == kind;
        }
    }

    /**
     * Matches an evaluation that ends the raise's run: its CLEARED edge, or any evaluation of a
     * later run (one that holds since another raise). The latter only happens when the CLEARED edge
     * was lost (dropped as late); without it, the raise would neither complete nor die, and CEP
     * holds back every later match behind an earlier partial match.
     */
    static final class EndsTheRun extends IterativeCondition<ConditionEvaluation> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(ConditionEvaluation evaluation, Context<ConditionEvaluation> context)
                throws Exception {
            if (evaluation.kind() == Kind.CLEARED) {
                return true;
            }
            for (ConditionEvaluation raise : context.getEventsForPattern(RAISED)) {
                return evaluation.since() != raise.timestamp();
            }
            return false;
        }
    }

    /** Matches a HOLDING evaluation at least the rule's duration after the matched raise. */
    static final class HeldSinceRaise extends IterativeCondition<ConditionEvaluation> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(ConditionEvaluation evaluation, Context<ConditionEvaluation> context)
                throws Exception {
            if (evaluation.kind() != Kind.HOLDING) {
                return false;
            }
            for (ConditionEvaluation raise : context.getEventsForPattern(RAISED)) {
                return evaluation.timestamp() - raise.timestamp() >= evaluation.sustainForMs();
            }
            return false;
        }
    }
}

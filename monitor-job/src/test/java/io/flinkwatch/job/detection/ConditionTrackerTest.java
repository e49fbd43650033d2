package io.flinkwatch.job.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionTrackerTest {

    private static final RuleOutcome A = outcome("a");
    private static final RuleOutcome B = outcome("b");

    @Test
    void reportsEdgesNotLevels() {
        ConditionTracker tracker = new ConditionTracker();

        // t=0: a holds (raised); t=15: a and b (a holding, b raised); t=30: b only (a cleared);
        // t=45: nothing (b cleared); t=60: nothing (no edges at all).
        assertThat(kinds(tracker.evaluate(0, List.of(A)))).containsExactly("a RAISED since 0");
        assertThat(kinds(tracker.evaluate(15, List.of(A, B))))
                .containsExactlyInAnyOrder("a HOLDING since 0", "b RAISED since 15");
        assertThat(kinds(tracker.evaluate(30, List.of(B))))
                .containsExactlyInAnyOrder("a CLEARED since 0", "b HOLDING since 15");
        assertThat(kinds(tracker.evaluate(45, List.of()))).containsExactly("b CLEARED since 15");
        assertThat(tracker.evaluate(60, List.of())).isEmpty();
        assertThat(tracker.isEmpty()).isTrue();
    }

    @Test
    void aGapOfOneEvaluationStartsANewRun() {
        ConditionTracker tracker = new ConditionTracker();
        tracker.evaluate(0, List.of(A));
        tracker.evaluate(15, List.of());

        assertThat(kinds(tracker.evaluate(30, List.of(A)))).containsExactly("a RAISED since 30");
    }

    @Test
    void clearAllEndsEveryRun() {
        ConditionTracker tracker = new ConditionTracker();
        tracker.evaluate(0, List.of(A, B));

        assertThat(tracker.clearAll(15))
                .extracting(ConditionEvaluation::kind)
                .containsOnly(Kind.CLEARED)
                .hasSize(2);
    }

    private static RuleOutcome outcome(String name) {
        return new RuleOutcome(
                "Rule", 60_000, Map.of("alertname", "Rule", "x", name), "job-1", Evidence.none());
    }

    private static List<String> kinds(List<ConditionEvaluation> evaluations) {
        return evaluations.stream()
                .map(e -> e.labels().get("x") + " " + e.kind() + " since " + e.since())
                .toList();
    }
}

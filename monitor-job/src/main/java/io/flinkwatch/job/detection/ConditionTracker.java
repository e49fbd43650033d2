package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.detection.ConditionEvaluation.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the instances for which rules hold at an evaluation into edges: an instance that holds now
 * and did not before is {@code RAISED}; one that held before and still does is {@code HOLDING}; one
 * that held before and is not reported now is {@code CLEARED} — whether its condition is false or
 * could not be evaluated (no data), as in Prometheus, where a missing result also ends a pending or
 * firing alert.
 *
 * <p>Mutable, with its state in {@link #holding}, so that a Flink operator can keep it in keyed
 * state. Output is ordered by fingerprint, so equal input gives equal output.
 */
public final class ConditionTracker {

    /**
     * Instances that held at the last evaluation, by fingerprint. Public for Flink's serializer.
     */
    public Map<String, TrackedCondition> holding = new HashMap<>();

    /**
     * Records one evaluation at {@code time}.
     *
     * @param holdingNow the instances whose condition holds now (one per fingerprint)
     * @return the edges, ordered by fingerprint
     */
    public List<ConditionEvaluation> evaluate(long time, Collection<RuleOutcome> holdingNow) {
        Map<String, RuleOutcome> now = new TreeMap<>();
        for (RuleOutcome outcome : holdingNow) {
            now.put(outcome.fingerprint(), outcome);
        }
        List<ConditionEvaluation> edges = new ArrayList<>(now.size());
        for (Iterator<Map.Entry<String, TrackedCondition>> it = holding.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, TrackedCondition> entry = it.next();
            if (!now.containsKey(entry.getKey())) {
                TrackedCondition gone = entry.getValue();
                edges.add(
                        new ConditionEvaluation(
                                gone.rule(),
                                gone.sustainForMs(),
                                entry.getKey(),
                                time,
                                Kind.CLEARED,
                                gone.since(),
                                gone.labels(),
                                gone.jobId(),
                                Evidence.none()));
                it.remove();
            }
        }
        for (Map.Entry<String, RuleOutcome> entry : now.entrySet()) {
            RuleOutcome outcome = entry.getValue();
            TrackedCondition before = holding.get(entry.getKey());
            long since = before == null ? time : before.since();
            holding.put(
                    entry.getKey(),
                    new TrackedCondition(
                            outcome.rule(),
                            outcome.sustainForMs(),
                            since,
                            outcome.labels(),
                            outcome.jobId()));
            edges.add(
                    new ConditionEvaluation(
                            outcome.rule(),
                            outcome.sustainForMs(),
                            entry.getKey(),
                            time,
                            before == null ? Kind.RAISED : Kind.HOLDING,
                            since,
                            outcome.labels(),
                            outcome.jobId(),
                            outcome.evidence()));
        }
        edges.sort(java.util.Comparator.comparing(ConditionEvaluation::fingerprint));
        return edges;
    }

    /** Ends every instance: the series behind them are gone. */
    public List<ConditionEvaluation> clearAll(long time) {
        return evaluate(time, List.of());
    }

    public boolean isEmpty() {
        return holding.isEmpty();
    }
}

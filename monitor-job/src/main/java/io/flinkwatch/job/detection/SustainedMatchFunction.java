package io.flinkwatch.job.detection;

import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/** Turns a match of {@link SustainedConditionPattern} into the signal that fires the alert. */
public final class SustainedMatchFunction
        extends PatternProcessFunction<ConditionEvaluation, AlertSignal> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processMatch(
            Map<String, List<ConditionEvaluation>> match,
            Context context,
            Collector<AlertSignal> out) {
        ConditionEvaluation raise = match.get(SustainedConditionPattern.RAISED).get(0);
        ConditionEvaluation sustained = match.get(SustainedConditionPattern.SUSTAINED).get(0);
        out.collect(AlertSignal.fire(sustained, raise.timestamp()));
    }
}

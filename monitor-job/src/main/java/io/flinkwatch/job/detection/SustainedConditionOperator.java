package io.flinkwatch.job.detection;

import io.flinkwatch.job.lifecycle.AlertSignal;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's CEP operator running the {@link SustainedConditionPattern} (keyed by alert instance),
 * which also forgets an instance whose condition is not open ({@link ForgetfulCepOperator}): an
 * instance whose condition is raised keeps its state until its CLEARED edge, so a key holds CEP
 * state only while its condition is open.
 */
public final class SustainedConditionOperator
        extends ForgetfulCepOperator<ConditionEvaluation, AlertSignal> {

    private static final long serialVersionUID = 1L;

    public SustainedConditionOperator(TypeSerializer<ConditionEvaluation> inputSerializer) {
        super(
                inputSerializer,
                SustainedConditionPattern.pattern(),
                new SustainedMatchFunction(),
                LateConditionEdges.TAG);
    }
}

package io.flinkwatch.job.detection;

import io.flinkwatch.ingest.publish.LogLimiter;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Condition edges that reached the sustained-condition pattern after event time had passed them,
 * which CEP would drop without a trace. The analytics never emit an edge behind their own
 * watermark, so none should arrive; if one does, it is counted ({@code lateConditionEdges}) and
 * logged. Nothing more is needed to stay correct: a late CLEARED has already resolved its alert
 * (the analytics send the resolve signal directly), and the pattern completes a raise only with
 * evaluations of the same run, so the partial match it leaves behind never fires.
 */
public final class LateConditionEdges extends ProcessFunction<ConditionEvaluation, Void> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LateConditionEdges.class);

    /** The side output of the pattern's operator for late edges. */
    public static final OutputTag<ConditionEvaluation> TAG =
            new OutputTag<>("late-condition-edges", TypeInformation.of(ConditionEvaluation.class));

    private transient Counter late;
    private transient LogLimiter limiter;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter(FlinkwatchMetrics.LATE_CONDITION_EDGES);
        limiter = new LogLimiter();
    }

    @Override
    public void processElement(ConditionEvaluation edge, Context ctx, Collector<Void> out) {
        late.inc();
        if (limiter.permits()) {
            LOG.warn(
                    "A {} edge of {} {} at {} reached the sustained-condition pattern after event time"
                            + " had passed it ({} late edges so far)",
                    edge.kind(),
                    edge.rule(),
                    edge.labels(),
                    Instant.ofEpochMilli(edge.timestamp()),
                    late.getCount());
        }
    }
}

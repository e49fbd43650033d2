package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.baseline.BaselineKind;
import io.flinkwatch.job.analytics.baseline.ThroughputBaseline;
import io.flinkwatch.job.analytics.flow.TaskFlowRule;
import io.flinkwatch.job.analytics.flow.TaskFlowView;
import io.flinkwatch.job.analytics.flow.TaskFlowView.VertexThroughput;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * FlinkThroughputDrop: {@code numRecordsInPerSecond < 0.5 *
 * avg_over_time(numRecordsInPerSecond[7d]) for 15m}, per vertex (sources by default, with records
 * out: a source's records in are always 0). The baseline is flat (the article's 7-day average) or
 * seasonal (the same hour of the day from the second day, of the week once enough weeks exist). No
 * verdict without enough history, for tiny baselines, or while a subtask of the vertex is warming
 * up after a restart.
 */
public final class ThroughputDrop extends BaseRule implements TaskFlowRule {

    public static final String NAME = "FlinkThroughputDrop";

    private final double ratio;
    private final double minBaselineRate;
    private final boolean sourcesOnly;

    public ThroughputDrop(
            double ratio, double minBaselineRate, boolean sourcesOnly, Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.THROUGHPUT);
        this.ratio = ratio;
        this.minBaselineRate = minBaselineRate;
        this.sourcesOnly = sourcesOnly;
    }

    @Override
    public void evaluate(TaskFlowView view, long time, List<RuleOutcome> holding) {
        for (VertexThroughput vertex : view.throughput().values()) {
            if ((sourcesOnly && !vertex.source()) || vertex.warmingUp()) {
                continue;
            }
            ThroughputBaseline.Estimate expected = vertex.expected();
            if (expected == null
                    || expected.rate() < minBaselineRate
                    || !(vertex.rate() < ratio * expected.rate())) {
                continue;
            }
            Evidence evidence =
                    Evidence.builder()
                            .value("recordsPerSecond", vertex.rate())
                            .value("baselineRecordsPerSecond", expected.rate())
                            .value("ratioToBaseline", vertex.rate() / expected.rate())
                            .value(historyName(expected.kind()), expected.history())
                            .fact("baseline", expected.kind().label())
                            .fact(
                                    "metric",
                                    vertex.source()
                                            ? "numRecordsOutPerSecond"
                                            : "numRecordsInPerSecond")
                            .build();
            holding.add(
                    holds(
                            AlertInstances.vertex(
                                    this, view.cluster(), view.jobName(), vertex.vertexName()),
                            view.jobId(),
                            evidence));
        }
    }

    private static String historyName(BaselineKind kind) {
        return switch (kind) {
            case FLAT -> "baselineHours";
            case HOUR_OF_DAY -> "baselineDays";
            case HOUR_OF_WEEK -> "baselineWeeks";
        };
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Throughput dropped: "
                + Texts.where(labels)
                + " runs at "
                + Texts.value(evidence, "recordsPerSecond")
                + " records/s against a baseline of "
                + Texts.value(evidence, "baselineRecordsPerSecond");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "The vertex's throughput has stayed below "
                + Math.round(ratio * 100)
                + "% of its "
                + evidence.facts().getOrDefault("baseline", "")
                + " baseline for "
                + Texts.words(sustainFor())
                + ". Either the traffic itself dropped upstream, or the job slowed down.";
    }
}

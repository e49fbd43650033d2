package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.flow.TaskFlowRule;
import io.flinkwatch.job.analytics.flow.TaskFlowView;
import io.flinkwatch.job.analytics.flow.TaskFlowView.Subtask;
import io.flinkwatch.job.analytics.topology.Bottleneck;
import io.flinkwatch.job.analytics.topology.BottleneckFinder;
import io.flinkwatch.job.analytics.topology.VertexLoad;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FlinkHighBackpressure: {@code busyTimeMsPerSecond > 900 for 10m}, per subtask. Every alert names
 * the bottleneck — the first vertex in topology order that is not backpressured while busy above
 * the threshold — and the backpressured vertices upstream of it, because the vertex that shows
 * backpressure is usually the victim, not the cause.
 */
public final class HighBackpressure extends BaseRule implements TaskFlowRule {

    public static final String NAME = "FlinkHighBackpressure";

    private final double busyThreshold;
    private final double backpressuredThreshold;

    public HighBackpressure(
            double busyThreshold, double backpressuredThreshold, Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.BACKPRESSURE);
        this.busyThreshold = busyThreshold;
        this.backpressuredThreshold = backpressuredThreshold;
    }

    @Override
    public void evaluate(TaskFlowView view, long time, List<RuleOutcome> holding) {
        Bottleneck bottleneck = null;
        for (List<Subtask> subtasks : view.vertices().values()) {
            for (Subtask subtask : subtasks) {
                if (!(subtask.busy() > busyThreshold)) {
                    continue;
                }
                if (bottleneck == null) {
                    bottleneck =
                            BottleneckFinder.find(
                                    view.topology(),
                                    loads(view),
                                    busyThreshold,
                                    backpressuredThreshold);
                }
                Evidence evidence =
                        Evidence.builder()
                                .value("busyTimeMsPerSecond", subtask.busy())
                                .value("backPressuredTimeMsPerSecond", subtask.backPressured())
                                .value("busyThreshold", busyThreshold)
                                .fact(
                                        "bottleneck",
                                        bottleneck.vertex() == null
                                                ? "none found"
                                                : bottleneck.vertex())
                                .fact(
                                        "backpressuredUpstream",
                                        bottleneck.topologyKnown()
                                                ? String.join(
                                                        ", ", bottleneck.backpressuredUpstream())
                                                : "unknown (no job graph published)")
                                .fact(
                                        "isBottleneck",
                                        subtask.vertexName().equals(bottleneck.vertex())
                                                ? "yes"
                                                : "no")
                                .build();
                holding.add(
                        holds(
                                AlertInstances.subtask(
                                        this,
                                        view.cluster(),
                                        view.jobName(),
                                        subtask.vertexName(),
                                        subtask.subtask()),
                                view.jobId(),
                                evidence));
            }
        }
    }

    static Map<String, VertexLoad> loads(TaskFlowView view) {
        Map<String, VertexLoad> loads = new HashMap<>();
        for (Map.Entry<String, List<Subtask>> vertex : view.vertices().entrySet()) {
            double busy = Double.NEGATIVE_INFINITY;
            double backPressured = 0;
            String name = null;
            for (Subtask subtask : vertex.getValue()) {
                name = subtask.vertexName();
                if (!Double.isNaN(subtask.busy())) {
                    busy = Math.max(busy, subtask.busy());
                }
                if (!Double.isNaN(subtask.backPressured())) {
                    backPressured = Math.max(backPressured, subtask.backPressured());
                }
            }
            loads.put(vertex.getKey(), new VertexLoad(vertex.getKey(), name, busy, backPressured));
        }
        return loads;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "High backpressure: "
                + Texts.where(labels)
                + " is busy "
                + Texts.value(evidence, "busyTimeMsPerSecond")
                + " ms/s; bottleneck: "
                + evidence.facts().getOrDefault("bottleneck", "unknown");
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        String upstream = evidence.facts().getOrDefault("backpressuredUpstream", "");
        return "This subtask has been busy more than "
                + Texts.number(busyThreshold)
                + " ms per second for "
                + Texts.words(sustainFor())
                + ": it has almost no headroom. The bottleneck is "
                + evidence.facts().getOrDefault("bottleneck", "unknown")
                + " (the first vertex that is busy but not backpressured)"
                + (upstream.isEmpty() ? "" : "; backpressured upstream of it: " + upstream)
                + ". Fix the bottleneck, not its victims.";
    }
}

package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.analytics.flow.TaskFlowRule;
import io.flinkwatch.job.analytics.flow.TaskFlowView;
import io.flinkwatch.job.analytics.flow.TaskFlowView.Subtask;
import io.flinkwatch.job.analytics.flow.TaskFlowView.VertexThroughput;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * FlinkSubtaskStalled: one subtask of a vertex emits (next to) nothing while its peers are healthy
 * — data skew or a partition problem that a job-level aggregate would hide. Records out are
 * compared, and records in for sinks (which emit nothing downstream).
 */
public final class SubtaskStalled extends BaseRule implements TaskFlowRule {

    public static final String NAME = "FlinkSubtaskStalled";

    private final double stalledRate;
    private final double healthyPeerRate;

    public SubtaskStalled(double stalledRate, double healthyPeerRate, Duration sustainFor) {
        super(NAME, Severity.WARNING, sustainFor, Runbooks.THROUGHPUT);
        this.stalledRate = stalledRate;
        this.healthyPeerRate = healthyPeerRate;
    }

    @Override
    public void evaluate(TaskFlowView view, long time, List<RuleOutcome> holding) {
        for (Map.Entry<String, List<Subtask>> vertex : view.vertices().entrySet()) {
            List<Subtask> subtasks = vertex.getValue();
            if (subtasks.size() < 2) {
                continue;
            }
            VertexThroughput throughput = view.throughput().get(vertex.getKey());
            boolean sink = throughput != null && throughput.sink();
            double[] rates = subtasks.stream().mapToDouble(s -> sink ? s.in() : s.out()).toArray();
            for (int i = 0; i < subtasks.size(); i++) {
                Subtask subtask = subtasks.get(i);
                if (subtask.warmingUp() || Double.isNaN(rates[i]) || rates[i] > stalledRate) {
                    continue;
                }
                double peers = medianExcept(rates, i);
                if (!(peers >= healthyPeerRate)) {
                    continue;
                }
                Evidence evidence =
                        Evidence.builder()
                                .value(
                                        sink ? "numRecordsInPerSecond" : "numRecordsOutPerSecond",
                                        rates[i])
                                .value("peersMedianRecordsPerSecond", peers)
                                .value("peers", subtasks.size() - 1)
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

    static double medianExcept(double[] values, int skip) {
        double[] others = new double[values.length - 1];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (i != skip && !Double.isNaN(values[i])) {
                others[n++] = values[i];
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(others, n);
        Arrays.sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Stalled subtask: "
                + Texts.where(labels)
                + " processes (almost) nothing while its peers do";
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "This subtask has handled at most "
                + Texts.number(stalledRate)
                + " records per second for "
                + Texts.words(sustainFor())
                + " while its peers' median is "
                + Texts.value(evidence, "peersMedianRecordsPerSecond")
                + " records per second: a data skew or partition problem that job-level throughput hides.";
    }
}

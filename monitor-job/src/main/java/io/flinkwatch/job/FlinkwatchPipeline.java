package io.flinkwatch.job;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.kafka.SnapshotWatermarks;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.EvaluationGrid;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.job.JobHealthAnalyzer;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.MetricsAbsenceDetector;
import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.SustainedConditionPattern;
import io.flinkwatch.job.detection.SustainedMatchFunction;
import io.flinkwatch.job.ingest.JobHeartbeat;
import io.flinkwatch.job.ingest.SnapshotRouter;
import io.flinkwatch.job.ingest.SnapshotSplitter;
import io.flinkwatch.job.lifecycle.AlertGrouping;
import io.flinkwatch.job.lifecycle.AlertLifecycleFunction;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flinkwatch dataflow, from a source of snapshots to sinks for alerts and dead letters:
 *
 * <pre>
 * ingest:     source → validate (dead letters out) → split by metric family
 * analytics:  keyed by job, evaluated on an event-time grid → condition edges
 * detection:  one CEP pattern per rule ("held for D") → fire signals; clear edges → resolve signals;
 *             absence detector (event time and wall clock)
 * lifecycle:  keyed by job name → FIRING / RESOLVED events
 * sink:       alerts
 * </pre>
 *
 * Sources and sinks are arguments, so tests and the demo wire their own; {@link FlinkwatchJob}
 * wires Kafka. Every operator has a stable uid, so savepoints survive upgrades.
 */
public final class FlinkwatchPipeline {

    private final FlinkwatchConfig config;
    private final AlertCatalog catalog;
    private final EvaluationGrid grid;
    private long endOfInput = Long.MAX_VALUE;

    public FlinkwatchPipeline(FlinkwatchConfig config) {
        this.config = config;
        this.catalog = AlertCatalog.from(config);
        this.grid =
                new EvaluationGrid(
                        config.get(FlinkwatchParameters.EVALUATION_INTERVAL).toMillis(),
                        config.get(FlinkwatchParameters.SERIES_STALENESS).toMillis());
    }

    public AlertCatalog catalog() {
        return catalog;
    }

    /**
     * Declares the input bounded, ending with a snapshot at {@code newestTimestamp}: a replay.
     * Alerts caused only by the recording's end (every job falling silent after it) are left out,
     * and the wall clock plays no part.
     */
    public FlinkwatchPipeline replayEndingAt(long newestTimestamp) {
        this.endOfInput = newestTimestamp;
        return this;
    }

    /** Adds the dataflow to {@code env}. */
    public void build(
            StreamExecutionEnvironment env,
            Source<IngestedRecord, ?, ?> source,
            Sink<AlertEvent> alertSink,
            Sink<DeadLetter> deadLetterSink) {
        DataStream<IngestedRecord> ingested =
                env.fromSource(
                                source,
                                SnapshotWatermarks.strategy(
                                        config.get(FlinkwatchParameters.OUT_OF_ORDERNESS),
                                        config.get(FlinkwatchParameters.IDLENESS)),
                                "metric snapshots")
                        .uid("metric-snapshots-source");

        SingleOutputStreamOperator<MetricSnapshot> snapshots =
                ingested.process(new SnapshotRouter())
                        .uid("validate-snapshots")
                        .name("validate snapshots");
        snapshots
                .getSideOutput(SnapshotRouter.DEAD_LETTERS)
                .sinkTo(deadLetterSink)
                .uid("dead-letter-sink")
                .name("dead letters");

        Set<String> jobHealthMetrics = new HashSet<>();
        for (JobHealthRule rule : catalog.jobHealthRules()) {
            jobHealthMetrics.addAll(rule.metrics());
        }
        SingleOutputStreamOperator<JobHeartbeat> heartbeats =
                snapshots
                        .process(new SnapshotSplitter(jobHealthMetrics))
                        .uid("split-metric-families")
                        .name("split metric families");

        List<DataStream<ConditionEvaluation>> evaluationStreams = new ArrayList<>();
        if (!catalog.jobHealthRules().isEmpty()) {
            evaluationStreams.add(
                    heartbeats
                            .getSideOutput(SnapshotSplitter.JOB_HEALTH)
                            .keyBy(JobKeys::of, Types.STRING)
                            .process(new JobHealthAnalyzer(grid, catalog.jobHealthRules()))
                            .uid("analytics-job-health")
                            .name("analytics: job health"));
        }

        List<DataStream<AlertSignal>> signals = new ArrayList<>();
        if (!evaluationStreams.isEmpty()) {
            DataStream<ConditionEvaluation> evaluations = union(evaluationStreams);
            for (Rule rule : catalog.sustainedRules()) {
                signals.add(sustained(evaluations, rule));
            }
            signals.add(
                    evaluations
                            .filter(new IsCleared())
                            .uid("select-cleared-conditions")
                            .name("cleared conditions")
                            .map(new ToResolveSignal())
                            .uid("resolve-signals")
                            .name("resolve signals"));
        }
        catalog.metricsAbsent()
                .ifPresent(
                        rule ->
                                signals.add(
                                        heartbeats
                                                .keyBy(MetricsAbsenceDetector::jobKey, Types.STRING)
                                                                    .process(
                                                        new MetricsAbsenceDetector(
                                                                rule, endOfInput == Long.MAX_VALUE))
                                                .uid("detect-metrics-absent")
                                                .name("detection: FlinkMetricsAbsent")));

        union(signals)
                .keyBy(AlertSignal::jobName, Types.STRING)
                .process(
                        new AlertLifecycleFunction(
                                catalog,
                                new AlertGrouping(List.of("cluster", "job_name")),
                                endOfInput))
                .uid("alert-lifecycle")
                .name("alert lifecycle")
                .sinkTo(alertSink)
                .uid("alerts-sink")
                .name("alerts");
    }

    private static DataStream<AlertSignal> sustained(DataStream<ConditionEvaluation> evaluations, Rule rule) {
        DataStream<ConditionEvaluation> ofRule =
                evaluations
                        .filter(new RuleIs(rule.name()))
                        .uid("select-" + rule.name())
                        .name("evaluations of " + rule.name());
        return CEP.pattern(
                        ofRule.keyBy(ConditionEvaluation::fingerprint, Types.STRING),
                        SustainedConditionPattern.heldFor(rule.sustainFor()))
                .inEventTime()
                .process(new SustainedMatchFunction())
                .returns(TypeInformation.of(AlertSignal.class))
                .uid("sustained-" + rule.name())
                .name("detection: " + rule.name() + " held for " + rule.sustainFor());
    }

    private static <T> DataStream<T> union(List<DataStream<T>> streams) {
        DataStream<T> first = streams.get(0);
        if (streams.size() == 1) {
            return first;
        }
        @SuppressWarnings("unchecked")
        DataStream<T>[] rest = streams.subList(1, streams.size()).toArray(new DataStream[0]);
        return first.union(rest);
    }

    /** Keeps the evaluations of one rule. */
    static final class RuleIs implements FilterFunction<ConditionEvaluation> {
        private static final long serialVersionUID = 1L;
        private final String rule;

        RuleIs(String rule) {
            this.rule = rule;
        }

        @Override
        public boolean filter(ConditionEvaluation evaluation) {
            return evaluation.rule().equals(rule);
        }
    }

    /** Keeps the edges where a condition stopped holding. */
    static final class IsCleared implements FilterFunction<ConditionEvaluation> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(ConditionEvaluation evaluation) {
            return evaluation.kind() == ConditionEvaluation.Kind.CLEARED;
        }
    }

    /** A cleared condition resolves its alert, if it fired. */
    static final class ToResolveSignal implements MapFunction<ConditionEvaluation, AlertSignal> {
        private static final long serialVersionUID = 1L;

        @Override
        public AlertSignal map(ConditionEvaluation cleared) {
            return AlertSignal.resolve(cleared);
        }
    }
}

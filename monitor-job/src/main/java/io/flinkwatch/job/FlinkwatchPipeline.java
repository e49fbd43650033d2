package io.flinkwatch.job;

import io.flinkwatch.alerts.alertmanager.AlertForwarder;
import io.flinkwatch.alerts.alertmanager.AlertmanagerForwarding;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.kafka.SnapshotWatermarks;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.analytics.EvaluationGrid;
import io.flinkwatch.job.analytics.JobAnalytics;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.analytics.MetricFamily;
import io.flinkwatch.job.analytics.flow.TaskFlowFamily;
import io.flinkwatch.job.analytics.job.JobHealthFamily;
import io.flinkwatch.job.analytics.operator.OperatorFamily;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.job.config.ThroughputScope;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.ClockSkewDetector;
import io.flinkwatch.job.detection.ConditionEvaluation;
import io.flinkwatch.job.detection.LateConditionEdges;
import io.flinkwatch.job.detection.MetricsAbsenceDetector;
import io.flinkwatch.job.detection.SilenceGate;
import io.flinkwatch.job.detection.SilenceGateFunction;
import io.flinkwatch.job.detection.SustainedConditionOperator;
import io.flinkwatch.job.detection.restart.JobRestart;
import io.flinkwatch.job.detection.restart.JobStatusSample;
import io.flinkwatch.job.detection.restart.RestartLoopOperator;
import io.flinkwatch.job.detection.restart.RestartTransitions;
import io.flinkwatch.job.detection.rules.ClusterMetricsAbsent;
import io.flinkwatch.job.detection.rules.InputSilent;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.ingest.JobHeartbeat;
import io.flinkwatch.job.ingest.JobOrigin;
import io.flinkwatch.job.ingest.SnapshotRouter;
import io.flinkwatch.job.ingest.SnapshotSplitter;
import io.flinkwatch.job.lifecycle.AlertGrouping;
import io.flinkwatch.job.lifecycle.AlertLifecycleFunction;
import io.flinkwatch.job.lifecycle.AlertSignal;
import io.flinkwatch.job.lifecycle.LifecyclePolicy;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.job.metrics.KeyedStateMetricsOperator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The Flinkwatch dataflow, from a source of snapshots to sinks for alerts and dead letters:
 *
 * <pre>
 * ingest:     source (event time per monitored job: LATE, CLOCK_SKEW) → dead letters out → split by
 *             metric family
 * analytics:  keyed by cluster and job name, each run (job id) on its own samples; rules evaluated on an event-time grid → condition edges;
 *             cleared conditions → resolve signals
 * detection:  a CEP pattern keyed by alert instance ("raised, not cleared, still holding D later")
 *             → fire signals; absence detector (event time and wall clock) → a gate for jobs
 *             silent together (one input or cluster alert, not one per job); clock-skew detector;
 *             job status → restarts → a CEP sequence pattern ("N restarts within D") for restart
 *             loops
 * lifecycle:  keyed by cluster and job name → FIRING / RESOLVED events (dedup, resolve hold, repeats,
 *             inhibition, grouping)
 * sink:       alerts topic; optionally Alertmanager
 * </pre>
 *
 * Sources and sinks are arguments, so tests and the demo wire their own; {@link FlinkwatchJob}
 * wires Kafka. Every operator has a stable uid, so savepoints survive upgrades.
 */
public final class FlinkwatchPipeline {

    /**
     * The always-firing alert posted to Alertmanager while Flinkwatch runs: a dead man's switch.
     */
    public static final String WATCHDOG = "FlinkwatchWatchdog";

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
                                        config.get(FlinkwatchParameters.IDLENESS)),
                                "metric snapshots")
                        .uid("metric-snapshots-source");

        SingleOutputStreamOperator<MetricSnapshot> snapshots =
                ingested.process(
                                new SnapshotRouter(
                                        // A replay's event time is in the past by design.
                                        endOfInput == Long.MAX_VALUE
                                                ? config.get(FlinkwatchParameters.LAG_WARNING)
                                                : Duration.ZERO,
                                        config.get(FlinkwatchParameters.IDLENESS)))
                        .uid("validate-snapshots")
                        .name(FlinkwatchMetrics.ROUTER);
        snapshots
                .getSideOutput(SnapshotRouter.DEAD_LETTERS)
                .sinkTo(deadLetterSink)
                .uid("dead-letter-sink")
                .name("dead letters");

        List<MetricFamily> families = families();
        SingleOutputStreamOperator<JobHeartbeat> heartbeats =
                snapshots
                        .process(new SnapshotSplitter(families))
                        .uid("split-metric-families")
                        .name("split metric families");

        List<DataStream<AlertSignal>> signals = new ArrayList<>();
        if (!families.isEmpty()) {
            SingleOutputStreamOperator<AlertSignal> analytics =
                    heartbeats
                            .getSideOutput(SnapshotSplitter.ANALYTICS)
                            .keyBy(new JobKeys.SnapshotKeySelector(), Types.STRING)
                            // process(), plus gauges recounted after a restore: same state.
                            .transform(
                                    FlinkwatchMetrics.ANALYTICS,
                                    TypeInformation.of(AlertSignal.class),
                                    new KeyedStateMetricsOperator<>(
                                            new JobAnalytics(grid, families)))
                            .uid("analytics");
            signals.add(analytics);
            KeyedStream<ConditionEvaluation, String> edges =
                    analytics
                            .getSideOutput(JobAnalytics.EVALUATIONS)
                            .keyBy(ConditionEvaluation::fingerprint, Types.STRING);
            SingleOutputStreamOperator<AlertSignal> sustained =
                    edges.transform(
                                    "detection: conditions held for their duration (CEP)",
                                    TypeInformation.of(AlertSignal.class),
                                    new SustainedConditionOperator(
                                            edges.getType()
                                                    .createSerializer(
                                                            env.getConfig().getSerializerConfig())))
                            .uid("detect-sustained-conditions");
            signals.add(sustained);
            sustained
                    .getSideOutput(LateConditionEdges.TAG)
                    .process(new LateConditionEdges())
                    .uid("late-condition-edges")
                    .name(FlinkwatchMetrics.LATE_EDGES);
        }
        catalog.metricsAbsent()
                .ifPresent(
                        rule ->
                                signals.add(
                                        jobsSilentTogether(
                                                heartbeats
                                                        .keyBy(
                                                                MetricsAbsenceDetector::jobKey,
                                                                Types.STRING)
                                                        .process(
                                                                new MetricsAbsenceDetector(
                                                                        rule,
                                                                        config.get(
                                                                                FlinkwatchParameters
                                                                                        .STATE_RETENTION),
                                                                        endOfInput
                                                                                == Long.MAX_VALUE))
                                                        .uid("detect-metrics-absent")
                                                        .name("detection: FlinkMetricsAbsent"),
                                                snapshots.getSideOutput(SnapshotRouter.ORIGINS),
                                                rule)));

        catalog.restartLoop().ifPresent(rule -> signals.add(restartLoops(env, snapshots, rule)));

        catalog.clockSkew()
                .ifPresent(
                        rule ->
                                signals.add(
                                        snapshots
                                                .getSideOutput(SnapshotRouter.CLOCK_SKEWS)
                                                .keyBy(ClockSkewDetector::jobKey, Types.STRING)
                                                .process(
                                                        new ClockSkewDetector(
                                                                rule, endOfInput == Long.MAX_VALUE))
                                                .uid("detect-clock-skew")
                                                .name("detection: FlinkwatchClockSkew")));

        SingleOutputStreamOperator<AlertEvent> alerts =
                union(signals)
                        .keyBy(AlertSignal::lifecycleKey, Types.STRING)
                        .transform(
                                FlinkwatchMetrics.LIFECYCLE,
                                TypeInformation.of(AlertEvent.class),
                                new KeyedStateMetricsOperator<>(
                                        new AlertLifecycleFunction(
                                                catalog, lifecyclePolicy(config), endOfInput)))
                        .uid("alert-lifecycle");
        String alertmanager = config.get(FlinkwatchParameters.ALERTMANAGER_URL);
        if (!alertmanager.isEmpty()) {
            AlertForwarder.Settings settings =
                    new AlertForwarder.Settings(
                            URI.create(alertmanager),
                            config.get(FlinkwatchParameters.ALERTMANAGER_GENERATOR_URL),
                            config.get(FlinkwatchParameters.ALERTMANAGER_RESEND_INTERVAL),
                            config.get(FlinkwatchParameters.ALERTMANAGER_QUEUE_CAPACITY),
                            Duration.ofSeconds(10),
                            config.alertmanagerHttp(),
                            config.get(FlinkwatchParameters.ALERTMANAGER_MAX_ALERTS_PER_REQUEST),
                            config.get(FlinkwatchParameters.ALERTMANAGER_WATCHDOG)
                                    ? Map.of(
                                            "alertname",
                                            WATCHDOG,
                                            "severity",
                                            "none",
                                            "flinkwatch",
                                            config.get(
                                                    FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX))
                                    : Map.of());
            alerts.transform(
                            FlinkwatchMetrics.ALERTMANAGER,
                            Types.VOID,
                            new AlertmanagerForwarding(
                                            settings,
                                            // The lifecycle's key, so each job's events stay in
                                            // order.
                                            event -> AlertSignal.lifecycleKey(event.labels()))
                                    .operator())
                    .uid("alertmanager-sink")
                    .name(FlinkwatchMetrics.ALERTMANAGER);
        }
        // A task of its own: while Kafka is down the alerts topic's writer blocks on it, and must
        // not block the lifecycle with it, so that Alertmanager still hears of the outage
        // (FlinkwatchInputSilent).
        alerts.sinkTo(alertSink).uid("alerts-sink").name("alerts").disableChaining();
    }

    /**
     * FlinkMetricsAbsent of jobs that fell silent together, gathered ({@link SilenceGate}): one
     * FlinkwatchInputSilent or FlinkClusterMetricsAbsent instead of a page per job. Without either
     * rule, or with a group window of 0, the absence signals go straight on.
     */
    private DataStream<AlertSignal> jobsSilentTogether(
            DataStream<AlertSignal> absent, DataStream<JobOrigin> origins, MetricsAbsent rule) {
        long window = config.get(FlinkwatchParameters.METRICS_ABSENT_GROUP_WINDOW).toMillis();
        InputSilent input = catalog.inputSilent().orElse(null);
        ClusterMetricsAbsent cluster = catalog.clusterMetricsAbsent().orElse(null);
        if (window == 0 || (input == null && cluster == null)) {
            return absent;
        }
        SilenceGate.Settings settings =
                new SilenceGate.Settings(
                        input,
                        cluster,
                        window,
                        rule.after().toMillis(),
                        config.get(FlinkwatchParameters.INPUT_SILENT_MIN_JOBS));
        return absent.keyBy(signal -> SilenceGateFunction.FLEET, Types.STRING)
                .connect(origins.keyBy(origin -> SilenceGateFunction.FLEET, Types.STRING))
                .process(new SilenceGateFunction(settings), TypeInformation.of(AlertSignal.class))
                .uid("group-silent-jobs")
                .name("detection: jobs silent together");
    }

    /**
     * FlinkJobRestartLoop: the jobs' status samples → their restarts (and the ends of loops) → the
     * CEP sequence pattern "N restarts within D", keyed by alert instance.
     */
    private DataStream<AlertSignal> restartLoops(
            StreamExecutionEnvironment env,
            DataStream<MetricSnapshot> snapshots,
            JobRestartLoop rule) {
        SingleOutputStreamOperator<AlertSignal> transitions =
                snapshots
                        .flatMap(
                                (MetricSnapshot snapshot, Collector<JobStatusSample> out) ->
                                        JobStatusSample.of(snapshot).ifPresent(out::collect),
                                TypeInformation.of(JobStatusSample.class))
                        .uid("job-status-samples")
                        .name("detection: job status samples")
                        .keyBy(JobStatusSample::jobKey, Types.STRING)
                        .process(
                                new RestartTransitions(
                                        rule,
                                        config.get(FlinkwatchParameters.SERIES_STALENESS),
                                        config.get(FlinkwatchParameters.STATE_RETENTION)))
                        .uid("job-restarts")
                        .name(FlinkwatchMetrics.RESTARTS);
        KeyedStream<JobRestart, String> restarts =
                transitions
                        .getSideOutput(RestartTransitions.RESTARTS)
                        .keyBy(JobRestart::fingerprint, Types.STRING);
        SingleOutputStreamOperator<AlertSignal> loops =
                restarts.transform(
                                "detection: FlinkJobRestartLoop (CEP)",
                                TypeInformation.of(AlertSignal.class),
                                new RestartLoopOperator(
                                        restarts.getType()
                                                .createSerializer(
                                                        env.getConfig().getSerializerConfig()),
                                        rule))
                        .uid("detect-restart-loops");
        return transitions.union(loops);
    }

    /** Repeat interval, resolve hold, inhibition and grouping from the job parameters. */
    public static LifecyclePolicy lifecyclePolicy(FlinkwatchConfig config) {
        return new LifecyclePolicy(
                config.get(FlinkwatchParameters.REPEAT_INTERVAL).toMillis(),
                config.get(FlinkwatchParameters.RESOLVE_HOLD).toMillis(),
                config.get(FlinkwatchParameters.INHIBIT_RULES),
                new AlertGrouping(config.get(FlinkwatchParameters.GROUP_BY)));
    }

    /** The metric families with enabled rules. */
    private List<MetricFamily> families() {
        long lookback = grid.stalenessMs();
        long restartGrace = config.get(FlinkwatchParameters.RESTART_GRACE).toMillis();
        List<MetricFamily> families = new ArrayList<>();
        if (!catalog.jobHealthRules().isEmpty()) {
            families.add(new JobHealthFamily(catalog.jobHealthRules(), lookback, restartGrace));
        }
        if (!catalog.taskFlowRules().isEmpty()) {
            families.add(
                    new TaskFlowFamily(
                            catalog.taskFlowRules(),
                            lookback,
                            grid.intervalMs(),
                            restartGrace,
                            baselineSettings()));
        }
        if (!catalog.operatorRules().isEmpty()) {
            families.add(new OperatorFamily(catalog.operatorRules(), lookback));
        }
        return families;
    }

    private TaskFlowFamily.BaselineSettings baselineSettings() {
        return new TaskFlowFamily.BaselineSettings(
                config.get(FlinkwatchParameters.THROUGHPUT_BASELINE),
                config.get(FlinkwatchParameters.THROUGHPUT_BASELINE_WINDOW).toMillis(),
                config.get(FlinkwatchParameters.THROUGHPUT_MIN_HISTORY).toMillis(),
                config.get(FlinkwatchParameters.THROUGHPUT_SEASONAL_MIN_WEEKS),
                config.get(FlinkwatchParameters.THROUGHPUT_VERTICES) == ThroughputScope.SOURCES,
                config.get(FlinkwatchParameters.STATE_RETENTION).toMillis());
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
}

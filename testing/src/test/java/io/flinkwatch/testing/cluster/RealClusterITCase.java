package io.flinkwatch.testing.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.lag.ConsumerGroupLagPoller;
import io.flinkwatch.ingest.lag.LagPollerSettings;
import io.flinkwatch.ingest.prometheus.BridgeSettings;
import io.flinkwatch.ingest.prometheus.PrometheusBridge;
import io.flinkwatch.ingest.publish.Settings;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.sample.OrderGenerator;
import io.flinkwatch.testing.sample.SampleJob;
import io.flinkwatch.testing.sample.ThrottledSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything real, for each Flink line Flinkwatch reads ({@link FlinkLine}: 2.2 and 1.20): a
 * standalone session cluster of that line (JobManager and TaskManager as JVMs of their own, started
 * from Maven Central's jars) with the Flinkwatch reporter plugin and Flink's Prometheus reporter
 * installed; the sample job built for that line on it, reading from a broker both lines share; the
 * Flinkwatch job reading the metrics from a second broker, which starts only after the cluster
 * does. The sample job's sink is throttled while everything runs, and FlinkHighBackpressure must
 * name it, whether the metrics come through the reporter or through the Prometheus bridge; the lag
 * poller must see the consumer group fall behind; a job cancelled on the cluster must get a final
 * CANCELED snapshot. Then the metrics broker goes down, and the sample job must not notice.
 *
 * <p>The Flinkwatch job itself runs on Flink 2.2 in both cases: on the 2.2 cluster it is submitted
 * as its job jar through the REST API, beside the job it watches; a 1.20 cluster cannot run it, so
 * there it runs in this JVM's 2.2 MiniCluster, as it would on a small 2.2 cluster beside a 1.20
 * fleet.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class RealClusterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(RealClusterITCase.class);

    /** Where the Flinkwatch job runs when the monitored cluster cannot run it (Flink 1.20). */
    @RegisterExtension static final MiniClusterExtension FLINKWATCH_2_2 = TestJobs.miniCluster();

    /** The sample jobs' input, shared by both lines (their topics and groups are their own). */
    private static EmbeddedKafka data;

    @BeforeAll
    static void startDataBroker() throws Exception {
        data = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopDataBroker() {
        if (data != null) {
            data.close();
        }
    }

    @Nested
    @Order(1)
    class Flink22 extends MonitoredCluster {
        Flink22() {
            super(FlinkLine.FLINK_2_2);
        }
    }

    @Nested
    @Order(2)
    class Flink120 extends MonitoredCluster {
        Flink120() {
            super(FlinkLine.FLINK_1_20);
        }
    }

    /** The whole story against one monitored cluster of one Flink line. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    abstract class MonitoredCluster {

        private static final String REPORTED = "flink-metrics";
        private static final String SCRAPED = "flink-metrics-scraped";
        private static final String CANARY = "canary";
        private static final int ORDERS_PER_SECOND = 500;
        private static final Pattern DROPPED =
                Pattern.compile("Dropped (\\d+) metric snapshots \\((\\d+) in total");

        private final FlinkLine line;
        private final String clusterName;
        private final String input;
        private final String group;
        private EmbeddedKafka metrics;
        private int metricsPort;
        private StandaloneCluster cluster;
        private Path throttle;
        private OrderGenerator orders;
        private String sampleJob;
        private String prometheusTargets;

        MonitoredCluster(FlinkLine line) {
            this.line = line;
            this.clusterName = "it-" + line.slug();
            this.input = "orders-" + line.slug();
            this.group = "sample-orders-group-" + line.slug();
        }

        @BeforeAll
        void startClusterAndSampleJob() throws Exception {
            data.createTopics(2, input);
            data.createTopics(1, CANARY + "-" + line.slug());
            metricsPort = FreePorts.next();
            int jobManagerPrometheus = FreePorts.next();
            int taskManagerPrometheus = FreePorts.next();
            throttle = Files.createTempFile("flinkwatch-throttle-", ".txt");
            ThrottledSink.throttle(throttle, 0);

            long starting = System.nanoTime();
            // The sample job, the canary and, on 2.2, two Flinkwatch jobs: a slot each.
            cluster =
                    line.clusterWithPublishers(
                                    clusterName,
                                    "127.0.0.1:" + metricsPort,
                                    REPORTED,
                                    "2 s",
                                    jobManagerPrometheus,
                                    taskManagerPrometheus)
                            .start();
            prometheusTargets =
                    "http://127.0.0.1:"
                            + jobManagerPrometheus
                            + "/metrics,http://127.0.0.1:"
                            + taskManagerPrometheus
                            + "/metrics";

            // Kafka down at start-up: the reporters have run for a while without a broker; now it
            // comes.
            metrics = EmbeddedKafka.start(metricsPort);
            metrics.createTopics(2, REPORTED, SCRAPED);

            orders = OrderGenerator.start(data.producer(), input, ORDERS_PER_SECOND);
            sampleJob = submitSampleJob(SampleJob.JOB_NAME, input, group, throttle);
            cluster.awaitRunning(sampleJob, Duration.ofSeconds(60));
            LOG.info(
                    "{} cluster and sample job running after {} s",
                    line,
                    (System.nanoTime() - starting) / 1_000_000_000L);
        }

        @AfterAll
        void stopEverything() throws Exception {
            if (orders != null) {
                orders.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (throttle != null) {
                Files.deleteIfExists(throttle);
            }
        }

        private String submitSampleJob(
                String jobName, String topic, String groupId, @Nullable Path throttleFile) {
            String jar = cluster.uploadJar(line.sampleJar());
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--job-name",
                                    jobName,
                                    "--bootstrap-servers",
                                    data.bootstrapServers(),
                                    "--input-topic",
                                    topic,
                                    "--group-id",
                                    groupId,
                                    "--checkpoint-interval-ms",
                                    "2000"));
            if (throttleFile != null) {
                args.addAll(List.of("--throttle-file", throttleFile.toString()));
            }
            return cluster.run(jar, args, 1);
        }

        @Test
        @Order(1)
        void aThrottledSinkIsNamedTheBottleneckThroughTheReporterAndThePrometheusBridge()
                throws Exception {
            long started = System.nanoTime();
            // A second job, cancelled at the end: its final status must be reported.
            String canary =
                    submitSampleJob(
                            CANARY, CANARY + "-" + line.slug(), CANARY + "-" + line.slug(), null);
            List<Flinkwatch> flinkwatch = new ArrayList<>();
            try {
                flinkwatch.add(startFlinkwatch(REPORTED, "alerts-reported"));
                flinkwatch.add(startFlinkwatch(SCRAPED, "alerts-scraped"));
                cluster.awaitRunning(canary, Duration.ofSeconds(60));
                throttleAndAwaitAlerts();
            } finally {
                ThrottledSink.throttle(throttle, 0);
                for (Flinkwatch job : flinkwatch) {
                    job.cancel();
                }
                cluster.cancel(canary);
            }

            // A cancelled job is not a silent one: the reporter tells its final status once its
            // metrics go.
            SnapshotParser parser =
                    new SnapshotParser(SnapshotLimits.defaults(), java.time.Clock.systemUTC());
            List<ConsumerRecord<byte[], byte[]>> reported =
                    metrics.readCommitted(
                            REPORTED,
                            Duration.ofSeconds(30),
                            read ->
                                    read.stream()
                                            .anyMatch(r -> isCancelled(parser, r.value(), canary)));
            assertThat(reported)
                    .anySatisfy(
                            record ->
                                    assertThat(isCancelled(parser, record.value(), canary))
                                            .isTrue());
            LOG.info(
                    "{}: backpressure, lag and the final status in {} s",
                    line,
                    (System.nanoTime() - started) / 1_000_000_000L);
        }

        /**
         * Throttles the sample job's sink and waits for FlinkHighBackpressure through both paths
         * and for FlinkLagGrowing from the lag poller.
         */
        private void throttleAndAwaitAlerts() throws Exception {
            try (PrometheusBridge bridge =
                            PrometheusBridge.start(
                                    BridgeSettings.from(
                                            new Settings(
                                                    Map.of(
                                                            "targets",
                                                            prometheusTargets,
                                                            "cluster",
                                                            clusterName,
                                                            "bootstrap-servers",
                                                            metrics.bootstrapServers(),
                                                            "topic",
                                                            SCRAPED,
                                                            "interval",
                                                            "2s",
                                                            "flink-rest-url",
                                                            cluster.restUrl().toString()),
                                                    "--")));
                    ConsumerGroupLagPoller lagPoller =
                            ConsumerGroupLagPoller.start(
                                    LagPollerSettings.from(
                                            new Settings(
                                                    Map.of(
                                                            "groups",
                                                            group + "=" + SampleJob.JOB_NAME,
                                                            "cluster",
                                                            clusterName,
                                                            "bootstrap-servers",
                                                            metrics.bootstrapServers(),
                                                            "topic",
                                                            REPORTED,
                                                            "groups-bootstrap-servers",
                                                            data.bootstrapServers(),
                                                            "interval",
                                                            "2s",
                                                            "rate-window",
                                                            "10s",
                                                            "flink-rest-url",
                                                            cluster.restUrl().toString()),
                                                    "--")))) {
                // The destination slows down to a fifth of the input rate.
                ThrottledSink.throttle(throttle, ORDERS_PER_SECOND / 5);
                long throttledAt = System.currentTimeMillis();

                AlertEvent reported =
                        awaitAlert(
                                "alerts-reported",
                                MonitoredCluster::sinkBackpressure,
                                Duration.ofMinutes(5));
                LOG.info(
                        "{} reporter path: {} after {} s: {}",
                        line,
                        reported.alertname(),
                        (System.currentTimeMillis() - throttledAt) / 1000,
                        reported.annotations().get("summary"));
                AlertEvent scraped =
                        awaitAlert(
                                "alerts-scraped",
                                MonitoredCluster::sinkBackpressure,
                                Duration.ofMinutes(2));
                LOG.info("{} Prometheus path: {}", line, scraped.annotations().get("summary"));
                for (AlertEvent alert : List.of(reported, scraped)) {
                    assertThat(alert.labels())
                            .containsEntry("cluster", clusterName)
                            .containsEntry("job_name", SampleJob.JOB_NAME)
                            .containsEntry("job_id", sampleJob)
                            .containsEntry("subtask_index", "0");
                    assertThat(alert.evidence().facts().get("bottleneck"))
                            .contains(SampleJob.SINK_NAME);
                    assertThat(alert.evidence().facts().get("isBottleneck")).isEqualTo("yes");
                    // The map and the source wait for the sink: they are its backpressured
                    // victims.
                    assertThat(alert.evidence().facts().get("backpressuredUpstream"))
                            .contains(SampleJob.MAP_NAME);
                    assertThat(alert.evidence().values().get("busyTimeMsPerSecond"))
                            .isGreaterThan(900.0);
                }

                // The lag poller, from outside the job, sees the group fall behind and how old
                // its backlog is.
                AlertEvent lag =
                        awaitAlert(
                                "alerts-reported",
                                alert ->
                                        alert.alertname().equals("FlinkLagGrowing")
                                                && alert.label("task_name")
                                                        .equals("Kafka consumer group " + group),
                                Duration.ofMinutes(2));
                assertThat(lag.labels())
                        .containsEntry("cluster", clusterName)
                        .containsEntry("job_name", SampleJob.JOB_NAME)
                        .containsEntry("job_id", sampleJob);
                assertThat(lag.evidence().values().get("recordsLagMax")).isPositive();
                assertThat(lag.evidence().values().get("lagSeconds")).isPositive();
                assertThat(lagPoller.polls()).isPositive();
                assertThat(bridge.failedScrapes()).isZero();
            }
        }

        /**
         * A running Flinkwatch job reading {@code metricsTopic}: on a 2.2 cluster, its job jar
         * submitted beside the sample job; otherwise in the 2.2 MiniCluster of this JVM.
         */
        private Flinkwatch startFlinkwatch(String metricsTopic, String alertsTopic)
                throws Exception {
            metrics.createTopics(1, alertsTopic, alertsTopic + "-dead-letters");
            Map<String, String> parameters = flinkwatchParameters(metricsTopic, alertsTopic);
            if (line == FlinkLine.FLINK_2_2) {
                String jar = cluster.uploadJar(Path.of(System.getProperty("flinkwatch.job.jar")));
                List<String> args = new ArrayList<>();
                parameters.forEach(
                        (key, value) -> {
                            args.add("--" + key);
                            args.add(value);
                        });
                String jobId = cluster.run(jar, args, 1);
                cluster.awaitRunning(jobId, Duration.ofSeconds(60));
                return () -> cluster.cancel(jobId);
            }
            parameters.put("parallelism", "1");
            JobClient job =
                    TestJobs.environment(FlinkwatchConfig.fromMap(parameters))
                            .executeAsync("flinkwatch " + alertsTopic);
            return () -> job.cancel().get(60, TimeUnit.SECONDS);
        }

        private Map<String, String> flinkwatchParameters(String metricsTopic, String alertsTopic) {
            Map<String, String> parameters =
                    TestJobs.flinkwatchParameters(
                            metrics.bootstrapServers(), metricsTopic, alertsTopic);
            parameters.put("checkpoint.interval", "2s");
            parameters.put("watermark.idleness", "2s");
            parameters.put("evaluation.interval", "5s");
            parameters.put("rule.high-backpressure.for", "20s");
            parameters.put("rule.lag-growing.range", "30s");
            parameters.put("rule.lag-growing.for", "20s");
            return parameters;
        }

        @Test
        @Order(2)
        void theMonitoredJobKeepsUpWhileTheMetricsBrokerIsDown() throws Exception {
            // Let the backlog of the throttled phase drain (offsets are committed on
            // checkpoints).
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline && backlog() > 4L * ORDERS_PER_SECOND) {
                Thread.sleep(500);
            }
            Window healthy = measure(Duration.ofSeconds(15));
            int dropLinesBefore = dropLines().size();

            metrics.close();
            metrics = null;
            long downAt = System.nanoTime();
            // The reporter notices when Kafka does not acknowledge (delivery timeout) and logs the
            // drops.
            Window outage = measure(Duration.ofSeconds(20));
            while (dropLines().size() <= dropLinesBefore
                    && System.nanoTime() - downAt < TimeUnit.SECONDS.toNanos(120)) {
                outage = outage.extend(measure(Duration.ofSeconds(5)));
            }

            LOG.info(
                    "{} sample job with the metrics broker up: {} records/s consumed of {} produced; down: {} of {} ({} s); backlog {} records",
                    line,
                    healthy.consumedPerSecond(),
                    healthy.producedPerSecond(),
                    outage.consumedPerSecond(),
                    outage.producedPerSecond(),
                    outage.seconds(),
                    backlog());
            assertThat(cluster.get("jobs/" + sampleJob).path("state").asText())
                    .isEqualTo("RUNNING");
            // Keeping up: what was produced while the broker was down was consumed and delivered
            // (committed on checkpoints), give or take a few seconds of records in flight.
            assertThat(outage.consumed())
                    .isGreaterThanOrEqualTo(outage.produced() - 4L * ORDERS_PER_SECOND);
            assertThat(backlog()).isLessThan(4L * ORDERS_PER_SECOND);

            List<String> drops = dropLines();
            assertThat(drops).hasSizeGreaterThan(dropLinesBefore);
            Matcher last = DROPPED.matcher(drops.get(drops.size() - 1));
            assertThat(last.find()).isTrue();
            assertThat(Long.parseLong(last.group(1))).isPositive();
        }

        private static boolean sinkBackpressure(AlertEvent alert) {
            return alert.alertname().equals("FlinkHighBackpressure")
                    && alert.status() == AlertStatus.FIRING
                    && alert.label("task_name") != null
                    && alert.label("task_name").contains(SampleJob.SINK_NAME);
        }

        private AlertEvent awaitAlert(
                String topic, Predicate<AlertEvent> wanted, Duration timeout) {
            List<ConsumerRecord<byte[], byte[]>> records =
                    metrics.readCommitted(
                            topic,
                            timeout,
                            read ->
                                    read.stream()
                                            .map(r -> TestJobs.parseAlert(r.value()))
                                            .anyMatch(wanted));
            Optional<AlertEvent> found =
                    records.stream()
                            .map(r -> TestJobs.parseAlert(r.value()))
                            .filter(wanted)
                            .findFirst();
            assertThat(found)
                    .as(
                            "%s: alert on %s within %s; got %s",
                            line,
                            topic,
                            timeout,
                            records.stream()
                                    .map(r -> TestJobs.parseAlert(r.value()))
                                    .map(a -> a.alertname() + a.labels())
                                    .toList())
                    .isPresent();
            return found.get();
        }

        /**
         * Records of the input the sample job has consumed, delivered and committed (on
         * checkpoints).
         */
        private long committed() throws Exception {
            try (var admin = data.admin()) {
                return admin
                        .listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS)
                        .values()
                        .stream()
                        .filter(java.util.Objects::nonNull)
                        .mapToLong(offset -> offset.offset())
                        .sum();
            }
        }

        private long backlog() throws Exception {
            return data.endOffsets(input).values().stream().mapToLong(Long::longValue).sum()
                    - committed();
        }

        private Window measure(Duration length) throws Exception {
            long producedBefore = orders.acknowledged();
            long committedBefore = committed();
            long start = System.nanoTime();
            Thread.sleep(length.toMillis());
            return new Window(
                    orders.acknowledged() - producedBefore,
                    committed() - committedBefore,
                    (System.nanoTime() - start) / 1e9);
        }

        private List<String> dropLines() throws java.io.IOException {
            List<String> lines = new ArrayList<>();
            for (Path log : List.of(cluster.taskManagerLog(), cluster.jobManagerLog())) {
                Files.readAllLines(log).stream()
                        .filter(text -> DROPPED.matcher(text).find())
                        .forEach(lines::add);
            }
            return lines;
        }
    }

    private static boolean isCancelled(SnapshotParser parser, byte[] record, String jobId) {
        try {
            MetricSnapshot snapshot = parser.parse(record);
            return snapshot.job().id().equals(jobId) && "CANCELED".equals(snapshot.job().status());
        } catch (InvalidSnapshotException e) {
            return false;
        }
    }

    /** A running Flinkwatch job, wherever it runs. */
    @FunctionalInterface
    private interface Flinkwatch {
        void cancel() throws Exception;
    }

    private record Window(long produced, long consumed, double seconds) {
        double producedPerSecond() {
            return Math.round(produced / seconds);
        }

        double consumedPerSecond() {
            return Math.round(consumed / seconds);
        }

        Window extend(Window next) {
            return new Window(
                    produced + next.produced, consumed + next.consumed, seconds + next.seconds);
        }
    }
}

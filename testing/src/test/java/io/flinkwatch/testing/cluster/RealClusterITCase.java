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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything real: a standalone Flink 2.2 session cluster (JobManager and TaskManager as JVMs of
 * their own, started from Maven Central's jars) with the Flinkwatch reporter plugin and Flink's
 * Prometheus reporter installed; the sample job on it, reading from one broker; the Flinkwatch job
 * jar submitted to the same cluster through the REST API, reading the metrics from a second broker,
 * which starts only after the cluster does. The sample job's sink is throttled while everything
 * runs, and FlinkHighBackpressure must name it, whether the metrics come through the reporter or
 * through the Prometheus bridge; the lag poller must see the consumer group fall behind. Then the
 * metrics broker goes down, and the sample job must not notice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class RealClusterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(RealClusterITCase.class);
    private static final String CLUSTER = "it-cluster";
    private static final String INPUT = "orders";
    private static final String GROUP = "sample-orders-group";
    private static final String REPORTED = "flink-metrics";
    private static final String SCRAPED = "flink-metrics-scraped";
    private static final int ORDERS_PER_SECOND = 500;
    private static final Pattern DROPPED =
            Pattern.compile("Dropped (\\d+) metric snapshots \\((\\d+) in total");

    private static EmbeddedKafka data;
    private static EmbeddedKafka metrics;
    private static int metricsPort;
    private static StandaloneCluster cluster;
    private static Path throttle;
    private static OrderGenerator orders;
    private static String sampleJob;
    private static String prometheusTargets;

    @BeforeAll
    static void startClusterAndSampleJob() throws Exception {
        data = EmbeddedKafka.start();
        data.createTopics(2, INPUT);
        metricsPort = FreePorts.next();
        int jobManagerPrometheus = FreePorts.next();
        int taskManagerPrometheus = FreePorts.next();
        throttle = Files.createTempFile("flinkwatch-throttle-", ".txt");
        ThrottledSink.throttle(throttle, 0);

        StandaloneCluster.Builder builder =
                StandaloneCluster.builder(Path.of(System.getProperty("flinkwatch.flink.dist")))
                        .plugin(
                                "flinkwatch",
                                Path.of(System.getProperty("flinkwatch.reporter.jar")))
                        .config("taskmanager.numberOfTaskSlots", "3")
                        .config("taskmanager.memory.process.size", "1600m")
                        // The reporter, as a user would configure it: a few lines of config.yaml.
                        .config(
                                "metrics.reporter.flinkwatch.factory.class",
                                "io.flinkwatch.ingest.reporter.FlinkwatchReporterFactory")
                        .config("metrics.reporter.flinkwatch.interval", "2 s")
                        .config(
                                "metrics.reporter.flinkwatch.bootstrap-servers",
                                "127.0.0.1:" + metricsPort)
                        .config("metrics.reporter.flinkwatch.topic", REPORTED)
                        .config("metrics.reporter.flinkwatch.cluster", CLUSTER)
                        // Flink's own Prometheus reporter (plugins/metrics-prometheus), one port
                        // per process.
                        .config(
                                "metrics.reporter.prom.factory.class",
                                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                        .jobManagerConfig(
                                "metrics.reporter.prom.port",
                                Integer.toString(jobManagerPrometheus))
                        .taskManagerConfig(
                                "metrics.reporter.prom.port",
                                Integer.toString(taskManagerPrometheus));
        builder.config("metrics.reporter.flinkwatch.rest-url", builder.restUrl().toString());
        cluster = builder.start();
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

        orders = OrderGenerator.start(data.producer(), INPUT, ORDERS_PER_SECOND);
        String jar = cluster.uploadJar(Path.of(System.getProperty("flinkwatch.sample.jar")));
        sampleJob =
                cluster.run(
                        jar,
                        List.of(
                                "--bootstrap-servers",
                                data.bootstrapServers(),
                                "--input-topic",
                                INPUT,
                                "--group-id",
                                GROUP,
                                "--throttle-file",
                                throttle.toString(),
                                "--checkpoint-interval-ms",
                                "2000"),
                        1);
        cluster.awaitRunning(sampleJob, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (orders != null) {
            orders.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (data != null) {
            data.close();
        }
        if (throttle != null) {
            Files.deleteIfExists(throttle);
        }
    }

    @Test
    @Order(1)
    void aThrottledSinkIsNamedTheBottleneckThroughTheReporterAndThePrometheusBridge()
            throws Exception {
        String flinkwatchJar = cluster.uploadJar(Path.of(System.getProperty("flinkwatch.job.jar")));
        String viaReporter =
                cluster.run(flinkwatchJar, flinkwatchArgs(REPORTED, "alerts-reported"), 1);
        String viaBridge = cluster.run(flinkwatchJar, flinkwatchArgs(SCRAPED, "alerts-scraped"), 1);
        cluster.awaitRunning(viaReporter, Duration.ofSeconds(60));
        cluster.awaitRunning(viaBridge, Duration.ofSeconds(60));

        try (PrometheusBridge bridge =
                        PrometheusBridge.start(
                                BridgeSettings.from(
                                        new Settings(
                                                Map.of(
                                                        "targets",
                                                        prometheusTargets,
                                                        "cluster",
                                                        CLUSTER,
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
                                                        GROUP + "=" + SampleJob.JOB_NAME,
                                                        "cluster",
                                                        CLUSTER,
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
                            RealClusterITCase::sinkBackpressure,
                            Duration.ofMinutes(5));
            LOG.info(
                    "Reporter path: {} after {} s: {}",
                    reported.alertname(),
                    (System.currentTimeMillis() - throttledAt) / 1000,
                    reported.annotations().get("summary"));
            AlertEvent scraped =
                    awaitAlert(
                            "alerts-scraped",
                            RealClusterITCase::sinkBackpressure,
                            Duration.ofMinutes(2));
            LOG.info("Prometheus path: {}", scraped.annotations().get("summary"));
            for (AlertEvent alert : List.of(reported, scraped)) {
                assertThat(alert.labels())
                        .containsEntry("cluster", CLUSTER)
                        .containsEntry("job_name", SampleJob.JOB_NAME)
                        .containsEntry("job_id", sampleJob)
                        .containsEntry("subtask_index", "0");
                assertThat(alert.evidence().facts().get("bottleneck"))
                        .contains(SampleJob.SINK_NAME);
                assertThat(alert.evidence().facts().get("isBottleneck")).isEqualTo("yes");
                // The map and the source wait for the sink: they are its backpressured victims.
                assertThat(alert.evidence().facts().get("backpressuredUpstream"))
                        .contains(SampleJob.MAP_NAME);
                assertThat(alert.evidence().values().get("busyTimeMsPerSecond"))
                        .isGreaterThan(900.0);
            }

            // The lag poller, from outside the job, sees the group fall behind and how old its
            // backlog is.
            AlertEvent lag =
                    awaitAlert(
                            "alerts-reported",
                            alert ->
                                    alert.alertname().equals("FlinkLagGrowing")
                                            && alert.label("task_name")
                                                    .equals("Kafka consumer group " + GROUP),
                            Duration.ofMinutes(2));
            assertThat(lag.labels())
                    .containsEntry("job_name", SampleJob.JOB_NAME)
                    .containsEntry("job_id", sampleJob);
            assertThat(lag.evidence().values().get("recordsLagMax")).isPositive();
            assertThat(lag.evidence().values().get("lagSeconds")).isPositive();
            assertThat(lagPoller.polls()).isPositive();
            assertThat(bridge.failedScrapes()).isZero();
        } finally {
            ThrottledSink.throttle(throttle, 0);
            cluster.cancel(viaReporter);
            cluster.cancel(viaBridge);
        }

        // A cancelled job is not a silent one: the reporter tells its final status once its metrics
        // go.
        SnapshotParser parser =
                new SnapshotParser(SnapshotLimits.defaults(), java.time.Clock.systemUTC());
        List<ConsumerRecord<byte[], byte[]>> reported =
                metrics.readCommitted(
                        REPORTED,
                        Duration.ofSeconds(30),
                        read ->
                                read.stream()
                                        .anyMatch(
                                                r -> isCancelled(parser, r.value(), viaReporter)));
        assertThat(reported)
                .anySatisfy(
                        record ->
                                assertThat(isCancelled(parser, record.value(), viaReporter))
                                        .isTrue());
    }

    private static boolean isCancelled(SnapshotParser parser, byte[] record, String jobId) {
        try {
            MetricSnapshot snapshot = parser.parse(record);
            return snapshot.job().id().equals(jobId) && "CANCELED".equals(snapshot.job().status());
        } catch (InvalidSnapshotException e) {
            return false;
        }
    }

    @Test
    @Order(2)
    void theMonitoredJobKeepsUpWhileTheMetricsBrokerIsDown() throws Exception {
        // Let the backlog of the throttled phase drain (offsets are committed on checkpoints).
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
                "Sample job with the metrics broker up: {} records/s consumed of {} produced; down: {} of {} ({} s); backlog {} records",
                healthy.consumedPerSecond(),
                healthy.producedPerSecond(),
                outage.consumedPerSecond(),
                outage.producedPerSecond(),
                outage.seconds(),
                backlog());
        assertThat(cluster.get("jobs/" + sampleJob).path("state").asText()).isEqualTo("RUNNING");
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

    private static List<String> flinkwatchArgs(String metricsTopic, String alertsTopic) {
        metrics.createTopics(1, alertsTopic, alertsTopic + "-dead-letters");
        List<String> args = new ArrayList<>();
        Map.ofEntries(
                        Map.entry("kafka.bootstrap-servers", metrics.bootstrapServers()),
                        Map.entry("kafka.metrics-topics", metricsTopic),
                        Map.entry("kafka.alerts-topic", alertsTopic),
                        Map.entry("kafka.dead-letter-topic", alertsTopic + "-dead-letters"),
                        Map.entry("kafka.group-id", "flinkwatch-" + alertsTopic),
                        Map.entry("kafka.transactional-id-prefix", "flinkwatch-" + alertsTopic),
                        Map.entry("kafka.starting-offsets", "earliest"),
                        Map.entry("checkpoint.interval", "2s"),
                        Map.entry("watermark.idleness", "2s"),
                        Map.entry("evaluation.interval", "5s"),
                        Map.entry("rule.high-backpressure.for", "20s"),
                        Map.entry("rule.lag-growing.range", "30s"),
                        Map.entry("rule.lag-growing.for", "20s"))
                .forEach(
                        (key, value) -> {
                            args.add("--" + key);
                            args.add(value);
                        });
        return args;
    }

    private static AlertEvent awaitAlert(
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
                        "alert on %s within %s; got %s",
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
     * Records of the input the sample job has consumed, delivered and committed (on checkpoints).
     */
    private static long committed() throws Exception {
        try (var admin = data.admin()) {
            return admin
                    .listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .filter(java.util.Objects::nonNull)
                    .mapToLong(offset -> offset.offset())
                    .sum();
        }
    }

    private static long backlog() throws Exception {
        return data.endOffsets(INPUT).values().stream().mapToLong(Long::longValue).sum()
                - committed();
    }

    private static Window measure(Duration length) throws Exception {
        long producedBefore = orders.acknowledged();
        long committedBefore = committed();
        long start = System.nanoTime();
        Thread.sleep(length.toMillis());
        return new Window(
                orders.acknowledged() - producedBefore,
                committed() - committedBefore,
                (System.nanoTime() - start) / 1e9);
    }

    private static List<String> dropLines() throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        for (Path log : List.of(cluster.taskManagerLog(), cluster.jobManagerLog())) {
            Files.readAllLines(log).stream()
                    .filter(line -> DROPPED.matcher(line).find())
                    .forEach(lines::add);
        }
        return lines;
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

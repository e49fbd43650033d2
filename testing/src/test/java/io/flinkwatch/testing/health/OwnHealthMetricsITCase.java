package io.flinkwatch.testing.health;

import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.alertmanager.AlertmanagerForwarding;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.prometheus.PrometheusSample;
import io.flinkwatch.ingest.prometheus.PrometheusText;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flinkwatch's own health metrics, as a user sees them: live Flinkwatch on a MiniCluster with
 * Flink's real Prometheus reporter (flink-metrics-prometheus, from the classpath), scraped over
 * HTTP on a free port through the loopback interface (the reporter has no bind-address option: it
 * listens on every interface, as in RealClusterITCase). A scenario with an outage, a few records
 * that are not snapshots and an Alertmanager that cannot be reached go in; the scrape must show
 * every metric {@link FlinkwatchMetrics} declares, under the declared Prometheus name and operator,
 * with values that match what was sent: accepted snapshots, dead letters by reason, the outage's
 * alert open and firing, events published, event-time lag, forwarding failures. It also checks that
 * every Flink metric the Grafana dashboard may use ({@code grafana/flink-prometheus-names.txt}) is
 * exported by the real reporter, so that list is not a guess. Keyed state is in RocksDB; a second
 * test restores a savepoint at another parallelism and checks the gauges over keyed state.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OwnHealthMetricsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(OwnHealthMetricsITCase.class);

    private static final int PROMETHEUS_PORT = FreePorts.next();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(prometheusReporter())
                            .build());

    private static final String DOWN = "FlinkJobNotRunning";

    private final EmbeddedKafka kafka = SharedKafka.broker();

    @Test
    void theScrapeShowsWhatFlinkwatchDid() throws Exception {
        TestJobs topics = new TestJobs(kafka, 2);
        Scenario scenario =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(12))
                        .job("orders-cdc")
                        .job("payments-etl")
                        .incident("orders-cdc", IncidentKind.OUTAGE, minutes(3), null)
                        .build();
        List<MetricSnapshot> snapshots = scenario.snapshots();
        Map<RejectionReason, byte[]> bad =
                Map.of(
                        RejectionReason.MALFORMED_JSON, bytes("{\"version\": 1, \"timestamp\": oo"),
                        RejectionReason.UNSUPPORTED_VERSION, bytes("{\"version\": 99}"),
                        RejectionReason.MISSING_FIELD, bytes("{\"version\": 1}"));
        int copies = 2;
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            publisher.publish(snapshots.subList(0, snapshots.size() / 2));
            for (int i = 0; i < copies; i++) {
                bad.values().forEach(raw -> publisher.publishRaw("test-cluster/orders-cdc", raw));
            }
            publisher.publish(snapshots.subList(snapshots.size() / 2, snapshots.size()));
            publisher.flush();
        }

        // Nothing listens there: every post fails and is retried.
        int closedPort = FreePorts.next();
        JobClient job =
                TestJobs.environment(
                                topics.config(
                                        Map.of(
                                                "alertmanager.url",
                                                "http://127.0.0.1:" + closedPort)))
                        .executeAsync("own health");
        try {
            List<AlertEvent> alerts =
                    kafka
                            .readCommitted(
                                    topics.alertsTopic,
                                    Duration.ofSeconds(90),
                                    read ->
                                            read.stream()
                                                    .map(r -> TestJobs.parseAlert(r.value()))
                                                    .anyMatch(OwnHealthMetricsITCase::downFiring))
                            .stream()
                            .map(r -> TestJobs.parseAlert(r.value()))
                            .toList();
            assertThat(alerts).anyMatch(OwnHealthMetricsITCase::downFiring);

            // Meters and the reporter's view move every few seconds: wait for the counts.
            Scrape scrape =
                    awaitScrape(
                            job,
                            s ->
                                    s.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED) == snapshots.size()
                                            && s.sum(FlinkwatchMetrics.DEAD_LETTERS)
                                                    == bad.size() * copies
                                            && s.sum(
                                                            FlinkwatchMetrics.OPEN_ALERTS,
                                                            Map.of(
                                                                    "alertname",
                                                                    DOWN,
                                                                    "state",
                                                                    "firing"))
                                                    == 1
                                            && s.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED_RATE) > 0
                                            && s.sum(AlertmanagerNames.FAILED) > 0);
            Files.createDirectories(Path.of("target/own-health"));
            Files.writeString(Path.of("target/own-health/prometheus-scrape.txt"), scrape.text);

            // Every declared metric is there, under its Prometheus name and its operator.
            for (FlinkwatchMetrics.Exported metric : FlinkwatchMetrics.ALL) {
                assertThat(scrape.samples)
                        .as("%s on operator '%s'", metric.prometheusName(), metric.operator())
                        .anyMatch(
                                s ->
                                        s.name().equals(metric.prometheusName())
                                                && metric.operatorLabel()
                                                        .equals(s.labels().get("operator_name")));
            }

            for (RejectionReason reason : RejectionReason.values()) {
                assertThat(
                                scrape.sum(
                                        FlinkwatchMetrics.DEAD_LETTERS,
                                        Map.of(FlinkwatchMetrics.REASON, reason.name())))
                        .as("dead letters %s", reason)
                        .isEqualTo(bad.containsKey(reason) ? copies : 0);
            }
            assertThat(
                            scrape.sum(
                                    FlinkwatchMetrics.OPEN_ALERTS,
                                    Map.of("alertname", DOWN, "state", "suppressed")))
                    .isZero();
            // Two monitored jobs, each with job, task and operator series.
            assertThat(scrape.sum(FlinkwatchMetrics.WATCHED_JOBS)).isEqualTo(2);
            assertThat(scrape.sum(FlinkwatchMetrics.WATCHED_SERIES)).isGreaterThan(2);
            assertThat(scrape.sum(FlinkwatchMetrics.ALERT_EVENTS)).isGreaterThanOrEqualTo(1);
            // The recording is from January 2026: event time is months behind the wall clock
            // in the operators after the watermarks (the router says 0 once its partitions are
            // idle, as they are now that everything is read).
            long behind = System.currentTimeMillis() - scenario.at(minutes(11)).toEpochMilli();
            assertThat(
                            scrape.max(
                                    FlinkwatchMetrics.EVENT_TIME_LAG,
                                    Map.of(
                                            "operator_name",
                                            FlinkwatchMetrics.prometheusLabel(
                                                    FlinkwatchMetrics.LIFECYCLE))))
                    .isBetween(behind - 60_000.0, behind + 120_000.0);
            assertThat(scrape.sum(AlertmanagerNames.QUEUED)).isGreaterThanOrEqualTo(0);

            // The Flink metrics the dashboard may use are all exported by the real reporter.
            Set<String> exported =
                    scrape.all.stream()
                            .map(PrometheusSample::name)
                            .collect(Collectors.toCollection(TreeSet::new));
            assertThat(exported).containsAll(FlinkPrometheusNames.declared());
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The gauges over keyed state come back with the state: Flinkwatch stopped with a savepoint
     * while an alert fires, restored at parallelism 1 (from 2) with nothing new to read, shows the
     * same watched jobs, series and open alerts (recounted from RocksDB at start), while its
     * counters start again from 0.
     */
    @Test
    void gaugesOverKeyedStateAreRightAfterARestoreAtAnotherParallelism(@TempDir Path savepoints)
            throws Exception {
        TestJobs topics = new TestJobs(kafka, 2);
        Scenario scenario =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(12))
                        .job("orders-cdc")
                        .job("payments-etl")
                        .job("billing")
                        .incident("orders-cdc", IncidentKind.OUTAGE, minutes(3), null)
                        .build();
        List<MetricSnapshot> snapshots = scenario.snapshots();
        topics.publish(scenario);
        // Wall-clock absence would change the alerts while the test waits.
        Map<String, String> parameters = Map.of("rule.metrics-absent.after", "1h");

        JobClient first = TestJobs.environment(topics.config(parameters)).executeAsync("before");
        awaitScrape(
                first,
                s ->
                        s.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED) == snapshots.size()
                                && s.sum(
                                                FlinkwatchMetrics.OPEN_ALERTS,
                                                Map.of("alertname", DOWN, "state", "firing"))
                                        == 1);
        // Everything is read; once the partitions are idle (3 s) event time stands still and the
        // state with it: wait past the idleness, then until two scrapes two seconds apart agree.
        Thread.sleep(5_000);
        Scrape before = scrape(first);
        while (true) {
            Thread.sleep(2_000);
            Scrape next = scrape(first);
            if (next.sum(FlinkwatchMetrics.WATCHED_SERIES)
                            == before.sum(FlinkwatchMetrics.WATCHED_SERIES)
                    && next.sum(FlinkwatchMetrics.WATCHED_JOBS)
                            == before.sum(FlinkwatchMetrics.WATCHED_JOBS)) {
                break;
            }
            before = next;
        }
        double jobs = before.sum(FlinkwatchMetrics.WATCHED_JOBS);
        double series = before.sum(FlinkwatchMetrics.WATCHED_SERIES);
        assertThat(jobs).isEqualTo(3);
        assertThat(series).isGreaterThan(3);
        String savepoint =
                first.stopWithSavepoint(false, savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get();

        Map<String, String> rescaled = new java.util.HashMap<>(parameters);
        rescaled.put("parallelism", "1");
        StreamExecutionEnvironment env = TestJobs.environment(topics.config(rescaled));
        StreamGraph graph = env.getStreamGraph();
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        JobClient second = env.executeAsync(graph);
        try {
            // The operators open one after the other: wait for all three (the restored job reads
            // nothing new, so only the recount can bring them there).
            Scrape after =
                    awaitScrape(
                            second,
                            s ->
                                    s.sum(FlinkwatchMetrics.WATCHED_JOBS) == jobs
                                            && s.sum(FlinkwatchMetrics.WATCHED_SERIES) == series
                                            && s.sum(
                                                            FlinkwatchMetrics.OPEN_ALERTS,
                                                            Map.of(
                                                                    "alertname",
                                                                    DOWN,
                                                                    "state",
                                                                    "firing"))
                                                    == 1);
            // One subtask now holds every key.
            assertThat(
                            after.samples.stream()
                                    .filter(
                                            s ->
                                                    s.name()
                                                            .equals(
                                                                    prometheusName(
                                                                            FlinkwatchMetrics
                                                                                    .WATCHED_JOBS,
                                                                            Set.of()))))
                    .hasSize(1);
            assertThat(after.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED)).isZero();
        } finally {
            second.cancel().get();
        }
    }

    /** The Alertmanager sink's names, as the scrape has them. */
    private static final class AlertmanagerNames {
        static final String FAILED = AlertmanagerForwarding.METRIC_FAILED_POSTS;
        static final String QUEUED = AlertmanagerForwarding.METRIC_QUEUED;
    }

    private static boolean downFiring(AlertEvent event) {
        return event.alertname().equals(DOWN) && event.status() == AlertStatus.FIRING;
    }

    private static Configuration prometheusReporter() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        config.setString("metrics.reporter.prom.port", Integer.toString(PROMETHEUS_PORT));
        // Keyed state in RocksDB, so that the restore test recounts from its keys.
        config.setString("state.backend.type", "rocksdb");
        // RocksDB's estimates per state, as the article's state row reads them (off by default).
        config.setString("state.backend.rocksdb.metrics.estimate-num-keys", "true");
        config.setString("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        config.setString("state.backend.rocksdb.metrics.compaction-pending", "true");
        config.setString("state.backend.rocksdb.metrics.column-family-as-variable", "true");
        return config;
    }

    private static Scrape awaitScrape(JobClient job, Predicate<Scrape> ready) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Scrape last = null;
        while (System.nanoTime() < deadline) {
            last = scrape(job);
            if (ready.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        Files.createDirectories(Path.of("target/own-health"));
        Files.writeString(Path.of("target/own-health/prometheus-scrape.txt"), last.text);
        throw new AssertionError(
                "the scrape never showed the expected values: accepted "
                        + last.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED)
                        + ", dead letters "
                        + last.sum(FlinkwatchMetrics.DEAD_LETTERS)
                        + ", open firing "
                        + last.sum(
                                FlinkwatchMetrics.OPEN_ALERTS,
                                Map.of("alertname", DOWN, "state", "firing"))
                        + ", accepted/s "
                        + last.sum(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED_RATE)
                        + ", failed posts "
                        + last.sum(AlertmanagerNames.FAILED)
                        + ", watched jobs "
                        + last.sum(FlinkwatchMetrics.WATCHED_JOBS)
                        + ", series "
                        + last.sum(FlinkwatchMetrics.WATCHED_SERIES)
                        + " (scrape in target/own-health)");
    }

    private static Scrape scrape(JobClient job) throws Exception {
        return scrape().of(job.getJobID().toHexString());
    }

    private static Scrape scrape() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response =
                client.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        PrometheusText.Parsed parsed = PrometheusText.parse(response.body());
        LOG.debug("scraped {} samples", parsed.samples().size());
        return new Scrape(response.body(), parsed.samples(), parsed.samples());
    }

    /**
     * The Prometheus name of the declared metric {@code name} whose group keys are among the labels
     * asked for (so {@code openAlerts} with {@code alertname} and {@code state}).
     */
    private static String prometheusName(String name, Set<String> labels) {
        return FlinkwatchMetrics.ALL.stream()
                .filter(m -> m.name().equals(name) && labels.containsAll(m.groupKeys()))
                .max(java.util.Comparator.comparingInt(m -> m.groupKeys().size()))
                .orElseThrow(() -> new AssertionError("no declared metric " + name + labels))
                .prometheusName();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One scrape of the reporter's endpoint: {@code all} its samples, and in {@code samples} those
     * of one job (the cluster may still be tearing down another test's job).
     */
    private record Scrape(String text, List<PrometheusSample> all, List<PrometheusSample> samples) {

        Scrape of(String jobId) {
            return new Scrape(
                    text,
                    all,
                    all.stream().filter(s -> jobId.equals(s.labels().get("job_id"))).toList());
        }

        /** The sum over subtasks of an operator metric, by its Flink name. */
        double sum(String name) {
            return sum(name, Map.of());
        }

        double sum(String name, Map<String, String> labels) {
            return matching(name, labels).mapToDouble(PrometheusSample::value).sum();
        }

        double max(String name, Map<String, String> labels) {
            return matching(name, labels)
                    .mapToDouble(PrometheusSample::value)
                    .max()
                    .orElse(Double.NaN);
        }

        private java.util.stream.Stream<PrometheusSample> matching(
                String name, Map<String, String> labels) {
            String full = prometheusName(name, labels.keySet());
            return samples.stream()
                    .filter(s -> s.name().equals(full))
                    .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()));
        }
    }
}

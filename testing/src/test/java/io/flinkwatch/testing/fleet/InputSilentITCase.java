package io.flinkwatch.testing.fleet;

import static io.flinkwatch.testing.scenario.IncidentKind.SILENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.alertmanager.LocalAlertmanager;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flinkwatch's own Kafka fails: 50 jobs of 5 clusters publish live (one snapshot a second each, to
 * a metrics topic of 2 partitions), and the broker, which also holds the alerts topic, is stopped
 * for 3 minutes and started again. One of the jobs stops publishing when the broker goes down and
 * never comes back.
 *
 * <p>What on-call gets, in Alertmanager (which Flinkwatch reaches all along) and on the alerts
 * topic once it is back: exactly one FlinkwatchInputSilent, no FlinkMetricsAbsent for the 49 jobs
 * that resume, and one for the job that did not, dated from its own last snapshot. Scaled:
 * FlinkMetricsAbsent after 20 s, a group window of 5 s.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class InputSilentITCase {

    private static final Logger LOG = LoggerFactory.getLogger(InputSilentITCase.class);

    static final Duration STEP = Duration.ofSeconds(1);
    static final int OUTAGE_AT_STEP = 40;
    static final int OUTAGE_STEPS = 180;
    static final int STEPS = OUTAGE_AT_STEP + OUTAGE_STEPS + 70;
    static final String GONE = "job-49";

    /** Each alert seen active in Alertmanager ("alertname job_name"), with when it was first. */
    private static final Map<String, Long> seenInAlertmanager =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    private static long stoppedAt;
    private static long restartedAt;
    private static List<AlertEvent> alerts;
    private static long lastOfTheGoneJob;
    private static MiniCluster cluster;
    private static EmbeddedKafka kafka;

    static Scenario scenario() {
        Scenario.Builder builder =
                Scenario.starting(Scenario.DEFAULT_START)
                        .step(STEP)
                        .length(STEP.multipliedBy(STEPS));
        for (int i = 0; i < 50; i++) {
            builder.cluster("cluster-" + (i % 5)).job("job-" + i);
        }
        return builder.incident(GONE, SILENCE, STEP.multipliedBy(OUTAGE_AT_STEP), null).build();
    }

    @BeforeAll
    static void stopFlinkwatchsKafkaForThreeMinutes() throws Exception {
        kafka = EmbeddedKafka.start();
        TestJobs topics = new TestJobs(kafka, 2);
        cluster = TestJobs.startMiniCluster(2);
        List<List<MetricSnapshot>> steps = new ArrayList<>();
        scenario().forEachStep(steps::add);
        lastOfTheGoneJob =
                steps.stream()
                        .flatMap(List::stream)
                        .filter(s -> s.job().name().equals(GONE))
                        .mapToLong(MetricSnapshot::timestamp)
                        .max()
                        .orElseThrow();

        try (LocalAlertmanager alertmanager = LocalAlertmanager.start();
                // A publisher that gives up on what it cannot deliver, as the reporter does.
                var producer =
                        kafka.producer(
                                Map.of(
                                        "delivery.timeout.ms", "5000",
                                        "request.timeout.ms", "2000",
                                        // Never waits for a broker that is gone: drops instead.
                                        "max.block.ms", "0",
                                        "linger.ms", "0"))) {
            JobID job =
                    cluster.submitJob(
                                    TestJobs.environment(
                                                    topics.config(
                                                            Map.of(
                                                                    "rule.metrics-absent.after",
                                                                    "20s",
                                                                    "rule.metrics-absent.group-window",
                                                                    "5s",
                                                                    "alertmanager.url",
                                                                    alertmanager.url(),
                                                                    "alertmanager.resend-interval",
                                                                    "2s",
                                                                    "lifecycle.resolve-hold",
                                                                    "10s")))
                                            .getStreamGraph())
                            .get()
                            .getJobID();
            AtomicBoolean polling = new AtomicBoolean(true);
            Thread poller =
                    new Thread(
                            () -> {
                                while (polling.get()) {
                                    try {
                                        for (JsonNode alert : alertmanager.alerts()) {
                                            JsonNode labels = alert.get("labels");
                                            seenInAlertmanager.putIfAbsent(
                                                    labels.get("alertname").asText()
                                                            + " "
                                                            + labels.path("job_name").asText(""),
                                                    System.currentTimeMillis());
                                        }
                                        Thread.sleep(250);
                                    } catch (InterruptedException e) {
                                        return;
                                    } catch (Exception e) {
                                        LOG.warn("Polling Alertmanager failed: {}", e.toString());
                                    }
                                }
                            },
                            "alertmanager poller");
            poller.start();
            awaitMetadata(producer, topics.metricsTopic);
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            for (int step = 0; step < STEPS; step++) {
                if (step == OUTAGE_AT_STEP) {
                    stoppedAt = System.currentTimeMillis();
                    kafka.stop();
                }
                if (step == OUTAGE_AT_STEP + OUTAGE_STEPS) {
                    kafka.restart();
                    restartedAt = System.currentTimeMillis();
                }
                long started = System.currentTimeMillis();
                for (MetricSnapshot snapshot : steps.get(step)) {
                    try {
                        publisher.publishCounted(snapshot, (metadata, error) -> {});
                    } catch (RuntimeException unavailable) {
                        // Dropped, as a publisher does while its Kafka is down.
                    }
                }
                Thread.sleep(Math.max(0, STEP.toMillis() - (System.currentTimeMillis() - started)));
            }
            polling.set(false);
            poller.interrupt();
            poller.join();
            alerts =
                    kafka
                            .readCommitted(
                                    topics.alertsTopic, Duration.ofSeconds(10), read -> false)
                            .stream()
                            .map(record -> TestJobs.parseAlert(record.value()))
                            .toList();
            seenInAlertmanager.forEach(
                    (alert, at) ->
                            LOG.info(
                                    "In Alertmanager: {} {} s after Kafka stopped, {} s after it"
                                            + " was back",
                                    alert,
                                    (at - stoppedAt) / 1000.0,
                                    (at - restartedAt) / 1000.0));
            LOG.info(
                    "On the alerts topic: {}",
                    alerts.stream()
                            .map(a -> a.alertname() + " " + a.label("job_name") + " " + a.reason())
                            .toList());
            cluster.cancelJob(job).get();
        }
    }

    /** Sends never wait for metadata (max.block.ms 0): fetch it before the first. */
    private static void awaitMetadata(
            org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer, String topic)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void alertmanagerGotOneInputAlertAndOneAbsentJobNoStorm() {
        assertThat(seenInAlertmanager.keySet())
                .filteredOn(seen -> !seen.startsWith("FlinkwatchWatchdog"))
                .containsExactlyInAnyOrder("FlinkwatchInputSilent ", "FlinkMetricsAbsent " + GONE);
    }

    @Test
    void theInputAlertReachedAlertmanagerWhileKafkaWasDown() {
        // The alerts topic's writer, blocked on the lost broker, must not hold the lifecycle back.
        assertThat(seenInAlertmanager.get("FlinkwatchInputSilent "))
                .isBetween(stoppedAt, restartedAt);
    }

    @Test
    void theAlertsTopicHasOneInputAlertThatResolvedAndTheGoneJobsAbsence() {
        assertThat(stories())
                .containsExactlyInAnyOrder(
                        "FlinkwatchInputSilent null STARTED",
                        "FlinkwatchInputSilent null RESOLVED",
                        "FlinkMetricsAbsent " + GONE + " STARTED");
    }

    @Test
    void theJobThatDidNotResumeIsDatedFromItsOwnLastSnapshot() {
        AlertEvent absent =
                alerts.stream()
                        .filter(a -> a.alertname().equals("FlinkMetricsAbsent"))
                        .findFirst()
                        .orElseThrow();
        assertThat(absent.startsAt()).isEqualTo(lastOfTheGoneJob + 20_000);
        assertThat(absent.reason()).isEqualTo(AlertReason.STARTED);
    }

    private static Set<String> stories() {
        Set<String> stories = new TreeSet<>();
        for (AlertEvent alert : alerts) {
            if (!alert.alertname().equals("FlinkwatchWatchdog")) {
                stories.add(
                        alert.alertname() + " " + alert.label("job_name") + " " + alert.reason());
            }
        }
        return stories;
    }
}

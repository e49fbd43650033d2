package io.flinkwatch.testing.alertmanager;

import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts firing in Flinkwatch stay active in a real Alertmanager while Flinkwatch is stopped with a
 * savepoint and restored at another parallelism, twice (2 → 3 → 1): Alertmanager is polled all
 * along and never stops listing one of them, so it never sends on-call a "resolved" for an alert
 * that still fires.
 *
 * <p>Twelve jobs, spread over two partitions of the metrics topic, are down for good: twelve
 * FlinkJobNotRunning alerts fire. The resend interval is 2 s, so an alert Flinkwatch stops
 * re-posting ends in Alertmanager 8 s later; each run lasts 20 s.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AlertmanagerRescaleITCase {

    private static final int JOBS = 12;

    @Test
    void firingAlertsStayActiveInAlertmanagerThroughTwoRescales(@TempDir Path savepoints)
            throws Exception {
        Scenario.Builder builder = Scenario.starting(Scenario.DEFAULT_START).length(minutes(15));
        for (int i = 1; i <= JOBS; i++) {
            builder.job("job-" + i).incident("job-" + i, OUTAGE, minutes(5), null);
        }
        Scenario scenario = builder.build();
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);
        MiniCluster cluster = TestJobs.startMiniCluster(3);
        try (var producer = kafka.producer();
                LocalAlertmanager alertmanager = LocalAlertmanager.start();
                Poller poller = new Poller(alertmanager)) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            scenario.forEachStep(publisher::publish);
            publisher.flush();

            JobID first = submit(cluster, topics, alertmanager, 2, null);
            Set<String> firing =
                    names(
                            alertmanager.awaitAlerts(
                                    // And the watchdog, posted once a checkpoint completed.
                                    alerts ->
                                            names(alerts).size() == JOBS && watchdogs(alerts) == 1,
                                    Duration.ofMinutes(2)));
            poller.start();
            Thread.sleep(5_000);
            String savepoint = stop(cluster, first, savepoints);

            JobID second = submit(cluster, topics, alertmanager, 3, savepoint);
            Thread.sleep(20_000);
            savepoint = stop(cluster, second, savepoints);

            JobID third = submit(cluster, topics, alertmanager, 1, savepoint);
            Thread.sleep(20_000);
            cluster.cancelJob(third).get();

            assertThat(poller.polls).hasSizeGreaterThan(100);
            for (Set<String> poll : poller.polls) {
                assertThat(poll)
                        .as("active in Alertmanager while they fire in Flinkwatch")
                        .containsAll(firing);
            }
            // The dead man's switch is posted by one subtask, through every run.
            assertThat(poller.watchdogs).isNotEmpty().allMatch(count -> count == 1);
        } finally {
            cluster.close();
        }
    }

    /** Polls Alertmanager's active alerts every 100 ms, on a thread of its own. */
    private static final class Poller implements AutoCloseable {

        final List<Set<String>> polls = new CopyOnWriteArrayList<>();
        final List<Long> watchdogs = new CopyOnWriteArrayList<>();
        private final LocalAlertmanager alertmanager;
        private final Thread thread;
        private volatile boolean running = true;

        Poller(LocalAlertmanager alertmanager) {
            this.alertmanager = alertmanager;
            this.thread = new Thread(this::run, "alertmanager poller");
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running) {
                try {
                    List<JsonNode> alerts = alertmanager.alerts();
                    polls.add(names(alerts));
                    watchdogs.add(watchdogs(alerts));
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
        }
    }

    private static long watchdogs(List<JsonNode> alerts) {
        return alerts.stream()
                .filter(
                        alert ->
                                alert.get("labels")
                                        .get("alertname")
                                        .asText()
                                        .equals("FlinkwatchWatchdog"))
                .count();
    }

    /** The FlinkJobNotRunning alerts in a list of Alertmanager's, by job name. */
    private static Set<String> names(List<JsonNode> alerts) {
        return alerts.stream()
                .filter(
                        alert ->
                                alert.get("labels")
                                        .get("alertname")
                                        .asText()
                                        .equals("FlinkJobNotRunning"))
                .map(alert -> alert.get("labels").get("job_name").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static JobID submit(
            MiniCluster cluster,
            TestJobs topics,
            LocalAlertmanager alertmanager,
            int parallelism,
            String savepoint)
            throws Exception {
        StreamGraph graph =
                TestJobs.environment(
                                topics.config(
                                        Map.of(
                                                "parallelism",
                                                Integer.toString(parallelism),
                                                "alertmanager.url",
                                                alertmanager.url(),
                                                "alertmanager.resend-interval",
                                                "2s",
                                                // Wall-clock absence is another test's subject.
                                                "rule.metrics-absent.after",
                                                "1h")))
                        .getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        }
        return cluster.submitJob(graph).get().getJobID();
    }

    private static String stop(MiniCluster cluster, JobID job, Path savepoints) throws Exception {
        return cluster.stopWithSavepoint(
                        job, savepoints.toString(), false, SavepointFormatType.CANONICAL)
                .get();
    }
}

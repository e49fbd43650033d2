package io.flinkwatch.testing.fleet;

import static io.flinkwatch.testing.scenario.IncidentKind.SILENCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flinkwatch itself stopped with a savepoint for three times {@code rule.metrics-absent.after} (6 s
 * here) while the fleet goes on publishing in real time, then restored: the jobs that kept
 * publishing are not reported absent (their backlog is read first), and the job that really fell
 * silent during the downtime is.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FlinkwatchRestartITCase {

    static final Duration STEP = Duration.ofSeconds(1);
    static final Duration AFTER = Duration.ofSeconds(6);
    static final int STOP_AT_STEP = 10;
    static final int RESTART_AT_STEP = 25;
    static final int STEPS = 45;

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .step(STEP)
                    .length(STEP.multipliedBy(STEPS))
                    .job("publishing")
                    .job("also-publishing")
                    .job("falls-silent")
                    .incident("falls-silent", SILENCE, STEP.multipliedBy(STOP_AT_STEP + 2), null)
                    .build();

    private static MiniCluster cluster;
    private static List<AlertEvent> alerts;

    @BeforeAll
    static void stopFlinkwatchWhileTheFleetPublishesAndRestoreIt(@TempDir Path savepoints)
            throws Exception {
        cluster = TestJobs.startMiniCluster(2);
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);

        List<List<MetricSnapshot>> steps = new ArrayList<>();
        SCENARIO.forEachStep(steps::add);
        JobID job = submit(topics, null);
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            for (int step = 0; step < steps.size(); step++) {
                if (step == STOP_AT_STEP) {
                    String savepoint =
                            cluster.stopWithSavepoint(
                                            job,
                                            savepoints.toString(),
                                            false,
                                            SavepointFormatType.CANONICAL)
                                    .get();
                    // Down for 15 steps of real time while the fleet goes on.
                    restoreFrom = savepoint;
                }
                if (step == RESTART_AT_STEP) {
                    job = submit(topics, restoreFrom);
                }
                publisher.publish(steps.get(step));
                publisher.flush();
                Thread.sleep(STEP.toMillis());
            }
        }
        // Stopped (which commits every alert so far) before the fleet's own end looks like silence.
        Thread.sleep(2_000);
        cluster.stopWithSavepoint(job, savepoints.toString(), false, SavepointFormatType.CANONICAL)
                .get();
        alerts =
                kafka
                        .readCommitted(topics.alertsTopic, Duration.ofSeconds(5), read -> false)
                        .stream()
                        .map(record -> TestJobs.parseAlert(record.value()))
                        .toList();
        lastOfTheSilentJob =
                steps.stream()
                        .flatMap(List::stream)
                        .filter(s -> s.job().name().equals("falls-silent"))
                        .mapToLong(MetricSnapshot::timestamp)
                        .max()
                        .orElseThrow();
    }

    private static long lastOfTheSilentJob;

    private static String restoreFrom;

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void jobsThatKeptPublishingAreNotReportedAbsent() {
        assertThat(alerts)
                .filteredOn(a -> a.alertname().equals("FlinkMetricsAbsent"))
                .extracting(a -> a.label("job_name"))
                .doesNotContain("publishing", "also-publishing");
    }

    @Test
    void theJobThatFellSilentDuringTheDowntimeIsReportedOnce() {
        List<AlertEvent> absent =
                alerts.stream()
                        .filter(
                                a ->
                                        a.alertname().equals("FlinkMetricsAbsent")
                                                && a.reason() == AlertReason.STARTED)
                        .toList();
        assertThat(absent).extracting(a -> a.label("job_name")).containsExactly("falls-silent");
        // Dated by event time: its last snapshot + 6 s.
        assertThat(absent.get(0).startsAt()).isEqualTo(lastOfTheSilentJob + AFTER.toMillis());
    }

    private static JobID submit(TestJobs topics, String savepoint) throws Exception {
        StreamGraph graph =
                TestJobs.environment(
                                topics.config(
                                        Map.of(
                                                "rule.metrics-absent.after",
                                                AFTER.toSeconds() + "s",
                                                // Scaled as the duration: one publish interval.
                                                "rule.metrics-absent.group-window",
                                                STEP.toSeconds() + "s")))
                        .getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        }
        return cluster.submitJob(graph).get().getJobID();
    }
}

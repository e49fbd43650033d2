package io.flinkwatch.testing.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Jobs that come and go for weeks: two weeks of event time in which {@value #CHURNED} jobs, each
 * with its own name and its own source vertex, run for two hours, go down once for five minutes
 * (FlinkJobNotRunning fires and resolves) and then vanish without a word (FlinkMetricsAbsent
 * fires), beside {@value #LIVE} jobs that run throughout. With a one-day state retention, every
 * vanished job is retired: its absence alert resolves saying so, and Flinkwatch's savepoint at the
 * end is no larger than 1.1 × the savepoint of a run that only ever saw the live jobs.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StateRetentionSoakITCase {

    static final int CHURNED = 1_200;
    static final int LIVE = 3;
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    static final Duration STEP = Duration.ofMinutes(1);
    static final Duration CHURN_SPACING = Duration.ofMinutes(15);
    static final Duration LIFE = Duration.ofHours(2);
    static final Duration RETENTION = Duration.ofDays(1);

    /** The live jobs go on for this long after the last churned job vanished. */
    static final Duration TAIL = RETENTION.plusHours(12);

    static final Instant END =
            START.plus(CHURN_SPACING.multipliedBy(CHURNED)).plus(LIFE).plus(TAIL);

    private static MiniCluster cluster;
    private static long withChurn;
    private static long liveOnly;
    private static List<AlertEvent> alerts;

    @BeforeAll
    static void runBothFleets(@TempDir Path savepoints) throws Exception {
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(checkpointsToFiles(savepoints))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
        EmbeddedKafka kafka = SharedKafka.broker();

        TestJobs churn = new TestJobs(kafka, 2);
        withChurn = savepointSize(run(kafka, churn, true, savepoints.resolve("churn")));
        alerts =
                kafka
                        .readCommitted(churn.alertsTopic, Duration.ofSeconds(20), read -> false)
                        .stream()
                        .map(record -> TestJobs.parseAlert(record.value()))
                        .toList();

        TestJobs live = new TestJobs(kafka, 2);
        liveOnly = savepointSize(run(kafka, live, false, savepoints.resolve("live")));
        LoggerFactory.getLogger(StateRetentionSoakITCase.class)
                .info(
                        "Savepoint after {} churned jobs: {} bytes; with only the live jobs: {} bytes",
                        CHURNED,
                        withChurn,
                        liveOnly);
    }

    /**
     * Checkpoints go to files, as on a production cluster: replayed at full speed, the fleet's
     * state between watermarks (every churned job's samples read ahead of event time) outgrows the
     * 5 MB a JobManager keeps in memory, and the job would loop on failed checkpoints.
     */
    private static Configuration checkpointsToFiles(Path dir) {
        Configuration configuration = TestJobs.loopbackCluster();
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        return configuration;
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theStateOfJobsGoneForTheRetentionIsCleared() {
        assertThat((double) withChurn)
                .as(
                        "savepoint with %s churned jobs: %s bytes; with only the live jobs: %s bytes",
                        CHURNED, withChurn, liveOnly)
                .isLessThanOrEqualTo(1.1 * liveOnly);
    }

    @Test
    void everyVanishedJobWasReportedAbsentThenRetired() {
        List<AlertEvent> absent =
                alerts.stream().filter(a -> a.alertname().equals("FlinkMetricsAbsent")).toList();
        assertThat(absent.stream().filter(a -> a.reason() == AlertReason.STARTED).count())
                .isEqualTo(CHURNED);
        List<AlertEvent> retired =
                absent.stream().filter(a -> a.status() == AlertStatus.RESOLVED).toList();
        assertThat(retired).hasSize(CHURNED);
        assertThat(retired)
                .allSatisfy(a -> assertThat(a.evidence().facts()).containsKey("retired"));
        // Each outage fired and resolved once.
        assertThat(
                        alerts.stream()
                                .filter(
                                        a ->
                                                a.alertname().equals("FlinkJobNotRunning")
                                                        && a.status() == AlertStatus.RESOLVED)
                                .count())
                .isEqualTo(CHURNED);
        assertThat(alerts.stream().filter(a -> a.label("job_name").startsWith("live-"))).isEmpty();
    }

    /**
     * Publishes the fleet's history, lets Flinkwatch read all of it, and stops it with a savepoint.
     */
    private static String run(
            EmbeddedKafka kafka, TestJobs topics, boolean withChurn, Path savepoints)
            throws Exception {
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            fleet(withChurn, publisher);
            publisher.flush();
        }
        Map<String, String> parameters = new HashMap<>();
        parameters.put(FlinkwatchParameters.STATE_RETENTION.name(), "1d");
        // The churned jobs' baselines would need a day of history: judge after an hour.
        parameters.put(FlinkwatchParameters.THROUGHPUT_MIN_HISTORY.name(), "1h");
        JobID job =
                cluster.submitJob(TestJobs.environment(topics.config(parameters)).getStreamGraph())
                        .get()
                        .getJobID();
        topics.awaitConsumed();
        // A few more checkpoints: event time has reached the end everywhere.
        Thread.sleep(3_000);
        return cluster.stopWithSavepoint(
                        job, savepoints.toString(), false, SavepointFormatType.CANONICAL)
                .get();
    }

    /**
     * Every snapshot of the fleet in time order: the live jobs, and the churned ones when asked.
     */
    private static void fleet(boolean withChurn, SnapshotPublisher publisher) {
        for (Instant t = START; t.isBefore(END); t = t.plus(STEP)) {
            long now = t.toEpochMilli();
            for (int live = 0; live < LIVE; live++) {
                publish(
                        publisher,
                        "live-" + live,
                        now,
                        now - START.toEpochMilli() + 3_600_000,
                        false);
            }
            if (!withChurn) {
                continue;
            }
            // The jobs alive at t: started within the last LIFE.
            long sinceFirst = Duration.between(START, t).toMillis();
            int newest = (int) Math.min(CHURNED - 1, sinceFirst / CHURN_SPACING.toMillis());
            int oldest =
                    (int) Math.max(0, (sinceFirst - LIFE.toMillis()) / CHURN_SPACING.toMillis());
            for (int i = oldest; i <= newest; i++) {
                long age = sinceFirst - i * CHURN_SPACING.toMillis();
                if (age >= 0 && age < LIFE.toMillis()) {
                    // Down from 30 to 35 minutes of its life.
                    boolean down = age >= 30 * 60_000 && age < 35 * 60_000;
                    publish(publisher, "churn-" + i, now, age, down);
                }
            }
        }
    }

    private static void publish(
            SnapshotPublisher publisher, String name, long time, long uptime, boolean down) {
        JobRef job = new JobRef("id-" + name, name, down ? "RESTARTING" : "RUNNING", 60_000L);
        long checkpoints = uptime / 60_000;
        publisher.publish(
                new MetricSnapshot(
                        time,
                        "soak",
                        job,
                        Scope.job(),
                        Map.of(
                                "uptime", down ? 0.0 : (double) uptime,
                                "numberOfCompletedCheckpoints", (double) checkpoints,
                                "numberOfFailedCheckpoints", 0.0,
                                "lastCheckpointDuration", 1000.0,
                                "lastCheckpointSize", 1e6),
                        null));
        if (!down) {
            String vertex = "Source: " + name;
            publisher.publish(
                    new MetricSnapshot(
                            time + 250,
                            "soak",
                            JobRef.of(job.id(), name),
                            Scope.task("v-" + name, vertex, 0, 0),
                            Map.of(
                                    "numRecordsInPerSecond",
                                    0.0,
                                    "numRecordsOutPerSecond",
                                    500.0,
                                    "busyTimeMsPerSecond",
                                    100.0),
                            null));
        }
    }

    private static long savepointSize(String pointer) {
        Path dir = Path.of(URI.create(pointer.startsWith("file:") ? pointer : "file:" + pointer));
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            file -> {
                                try {
                                    return Files.size(file);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

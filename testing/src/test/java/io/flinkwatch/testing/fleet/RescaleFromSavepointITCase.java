package io.flinkwatch.testing.fleet;

import static io.flinkwatch.alerts.event.AlertReason.RESOLVED;
import static io.flinkwatch.alerts.event.AlertReason.STARTED;
import static io.flinkwatch.alerts.event.AlertReason.SUPPRESSED;
import static io.flinkwatch.alerts.event.AlertReason.UNSUPPRESSED;
import static io.flinkwatch.testing.scenario.IncidentKind.LAG_GROWTH;
import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE_WITH_LAG;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.testing.AlertLog;
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
 * Flinkwatch stopped with a savepoint in the middle of an incident, with alerts firing and
 * suppressed, and restored at another parallelism twice (2 → 4 → 1) while the incident goes on: on
 * the alerts topic (read_committed) every alert instance tells its story once, with no FIRING twice
 * and no RESOLVED lost.
 *
 * <p>{@code payments}' lag grows from 20m to 50m (its lag alerts fire at 25m) and it is down from
 * 30m to 40m (FlinkJobNotRunning at 32m marks them suppressed; released at 45m after the resolve
 * hold; resolved at 55m). {@code orders} has the same lag incident without the outage. Savepoints
 * are taken after 33m (parallelism 2 → 4) and after 43m (4 → 1).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RescaleFromSavepointITCase {

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(70))
                    .job("payments")
                    .incident("payments", LAG_GROWTH, minutes(20), minutes(50), 100)
                    .incident("payments", OUTAGE_WITH_LAG, minutes(30), minutes(40))
                    .job("orders")
                    .incident("orders", LAG_GROWTH, minutes(20), minutes(50), 100)
                    .build();

    private static MiniCluster cluster;
    private static List<AlertEvent> alerts;
    private static final List<Integer> parallelisms = new ArrayList<>();

    @BeforeAll
    static void runTheIncidentThroughTwoRescales(@TempDir Path savepoints) throws Exception {
        cluster = TestJobs.startMiniCluster(4);
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 4);
        List<MetricSnapshot> snapshots = SCENARIO.snapshots();

        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            publishUntil(publisher, snapshots, Long.MIN_VALUE, at(33));
            JobID first = submit(topics, 2, null);
            // payments is down and its lag alerts are marked suppressed.
            AlertLog.await(
                    topics,
                    events ->
                            events.stream()
                                            .filter(
                                                    e ->
                                                            AlertLog.is(
                                                                    e,
                                                                    "payments",
                                                                    "FlinkLagGrowing",
                                                                    SUPPRESSED))
                                            .count()
                                    == 2);
            String savepoint = stop(first, savepoints);

            publishUntil(publisher, snapshots, at(33), at(43));
            JobID second = submit(topics, 4, savepoint);
            topics.awaitConsumed();
            savepoint = stop(second, savepoints);

            publishUntil(publisher, snapshots, at(43), Long.MAX_VALUE);
            JobID third = submit(topics, 1, savepoint);
            AlertLog.await(
                    topics,
                    events ->
                            events.stream()
                                                    .filter(
                                                            e ->
                                                                    AlertLog.is(
                                                                            e,
                                                                            "payments",
                                                                            "FlinkLagGrowing",
                                                                            RESOLVED))
                                                    .count()
                                            == 2
                                    && events.stream()
                                                    .filter(
                                                            e ->
                                                                    AlertLog.is(
                                                                            e,
                                                                            "orders",
                                                                            "FlinkLagGrowing",
                                                                            RESOLVED))
                                                    .count()
                                            == 2);
            // Anything a duplicate would add is published by now: wait for a few more checkpoints.
            topics.awaitConsumed();
            Thread.sleep(3_000);
            alerts = AlertLog.read(topics, events -> false, Duration.ofSeconds(3));
            cluster.cancelJob(third).get();
        }
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theJobRanAtThreeParallelisms() {
        assertThat(parallelisms).containsExactly(2, 4, 1);
    }

    @Test
    void noEventIsPublishedTwice() {
        List<String> keys =
                alerts.stream()
                        .map(e -> e.fingerprint() + " " + e.reason() + " " + e.updatedAt())
                        .toList();
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void suppressedAlertsAreReleasedAndResolvedAcrossTheRescales() {
        assertThat(stories("payments", "FlinkJobNotRunning").values())
                .containsExactly(List.of(STARTED, RESOLVED));
        Map<String, List<AlertReason>> lag = stories("payments", "FlinkLagGrowing");
        assertThat(lag).hasSize(2);
        assertThat(lag.values())
                .allSatisfy(
                        story ->
                                assertThat(story)
                                        .containsExactly(
                                                STARTED, SUPPRESSED, UNSUPPRESSED, RESOLVED));
        for (AlertEvent event : of("payments", "FlinkLagGrowing")) {
            switch (event.reason()) {
                case SUPPRESSED -> assertThat(event.updatedAt()).isEqualTo(at(32));
                // Back at 40m, released after the five-minute resolve hold: during the second run.
                case UNSUPPRESSED -> assertThat(event.updatedAt()).isEqualTo(at(45));
                case RESOLVED -> assertThat(event.endsAt()).isBetween(at(50), at(53));
                default -> assertThat(event.startsAt()).isBetween(at(24), at(27));
            }
        }
    }

    @Test
    void firingAlertsOfAnotherJobResolveOnceAfterTwoRescales() {
        Map<String, List<AlertReason>> lag = stories("orders", "FlinkLagGrowing");
        assertThat(lag).hasSize(2);
        assertThat(lag.values())
                .allSatisfy(story -> assertThat(story).containsExactly(STARTED, RESOLVED));
    }

    private static JobID submit(TestJobs topics, int parallelism, String savepoint)
            throws Exception {
        StreamGraph graph =
                TestJobs.environment(
                                topics.config(
                                        Map.of(
                                                "parallelism",
                                                Integer.toString(parallelism),
                                                // Wall-clock absence is another test's subject.
                                                "rule.metrics-absent.after",
                                                "1h")))
                        .getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        }
        parallelisms.add(parallelism);
        return cluster.submitJob(graph).get().getJobID();
    }

    private static String stop(JobID job, Path savepoints) throws Exception {
        return cluster.stopWithSavepoint(
                        job, savepoints.toString(), false, SavepointFormatType.CANONICAL)
                .get();
    }

    private static void publishUntil(
            SnapshotPublisher publisher, List<MetricSnapshot> snapshots, long from, long until) {
        snapshots.stream()
                .filter(s -> s.timestamp() >= from && s.timestamp() < until)
                .forEach(publisher::publish);
        publisher.flush();
    }

    private static List<AlertEvent> of(String job, String alert) {
        return AlertLog.of(alerts, job, alert);
    }

    private static Map<String, List<AlertReason>> stories(String job, String alert) {
        return AlertLog.stories(alerts, job, alert);
    }

    private static long at(long minute) {
        return SCENARIO.at(minutes(minute)).toEpochMilli();
    }
}

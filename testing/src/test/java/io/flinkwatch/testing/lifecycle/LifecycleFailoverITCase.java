package io.flinkwatch.testing.lifecycle;

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
import io.flinkwatch.alerts.event.InhibitingAlert;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.AlertLog;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alert lifecycle end to end, with a TaskManager killed in the middle of an incident: on the
 * alerts topic, read with read_committed, every alert instance has exactly the events its story
 * calls for (one FIRING, one RESOLVED; suppression while its job is down) and none twice.
 *
 * <p>Two and a half hours of three simulated jobs: {@code orders} has a 30-minute lag incident,
 * then goes down while its lag keeps growing (the lag alert is suppressed from its start and never
 * pages); {@code billing} has a lag incident while {@code orders} is down (untouched by it); {@code
 * payments} goes down while its lag alerts already fire (they are marked suppressed, then released,
 * then resolved). The job runs unbounded with exactly-once delivery; the TaskManager is killed
 * after {@code payments} went down and before anything of it resolved.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LifecycleFailoverITCase {

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(150))
                    .job("orders")
                    .incident("orders", LAG_GROWTH, minutes(20), minutes(50), 100)
                    .incident("orders", OUTAGE_WITH_LAG, minutes(70), minutes(90))
                    .job("billing")
                    .incident("billing", LAG_GROWTH, minutes(70), minutes(90), 100)
                    .job("payments")
                    .incident("payments", LAG_GROWTH, minutes(100), minutes(130), 100)
                    .incident("payments", OUTAGE_WITH_LAG, minutes(110), minutes(120))
                    .build();

    private static MiniCluster cluster;
    private static List<AlertEvent> alerts;
    private static long completedCheckpoints;
    private static Set<String> transactionalIds;

    @BeforeAll
    static void runTheScenarioAndKillATaskManagerMidIncident() throws Exception {
        Configuration configuration = TestJobs.loopbackCluster();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(configuration)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();

        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);
        StreamExecutionEnvironment env = TestJobs.environment(topics.config(Map.of()));
        JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();

        List<MetricSnapshot> snapshots = SCENARIO.snapshots();
        long cut = SCENARIO.at(minutes(115)).toEpochMilli();
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            snapshots.stream().filter(s -> s.timestamp() < cut).forEach(publisher::publish);
            publisher.flush();

            // payments is down (112m) and its lag alerts are suppressed: kill the TaskManager now.
            AlertLog.await(
                    topics,
                    events ->
                            events.stream()
                                    .anyMatch(
                                            e ->
                                                    AlertLog.is(
                                                            e,
                                                            "payments",
                                                            "FlinkJobNotRunning",
                                                            STARTED)));
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();

            snapshots.stream().filter(s -> s.timestamp() >= cut).forEach(publisher::publish);
            publisher.flush();
        }
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
                                >= 2);
        // Anything a duplicate would add is published by now: wait for a few more checkpoints.
        Thread.sleep(5_000);
        alerts = AlertLog.read(topics, events -> false, Duration.ofSeconds(3));
        // Enough checkpoints that a new transactional id per checkpoint would show.
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        do {
            Thread.sleep(500);
            completedCheckpoints =
                    cluster.getExecutionGraph(job)
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getCounts()
                            .getNumberOfCompletedCheckpoints();
        } while (completedCheckpoints <= 20 && System.nanoTime() < deadline);
        String prefix = topics.config(Map.of()).get(FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX);
        try (Admin admin = kafka.admin()) {
            transactionalIds =
                    admin.listTransactions().all().get().stream()
                            .map(TransactionListing::transactionalId)
                            .filter(id -> id.startsWith(prefix + "-"))
                            .collect(Collectors.toCollection(TreeSet::new));
        }
        cluster.cancelJob(job).get();
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theTaskManagerWasKilledAndTheJobRecovered() {
        // The alerts after the kill (RESOLVED of payments) prove the job came back.
        assertThat(alerts)
                .anyMatch(e -> AlertLog.is(e, "payments", "FlinkJobNotRunning", RESOLVED));
    }

    @Test
    void theSinksReuseAFewTransactionalIdsAcrossCheckpointsAndTheRestart() {
        // Two exactly-once sinks (alerts, dead letters) of two subtasks each. A new id per
        // checkpoint (Flink's INCREMENTING naming) would leave one per checkpoint per subtask.
        assertThat(completedCheckpoints).isGreaterThan(20);
        assertThat(transactionalIds).isNotEmpty().hasSizeLessThanOrEqualTo(2 * 2 * 3);
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
    void aThirtyMinuteLagIncidentIsOneFiringAndOneResolvedPerSubtask() {
        Map<String, List<AlertReason>> lag = stories("orders", "FlinkLagGrowing");
        assertThat(lag).hasSize(2);
        assertThat(lag.values())
                .allSatisfy(story -> assertThat(story).containsExactly(STARTED, RESOLVED));
        for (AlertEvent event : of("orders", "FlinkLagGrowing")) {
            assertThat(event.startsAt()).isBetween(at(24), at(27));
            if (event.reason() == RESOLVED) {
                assertThat(event.endsAt()).isBetween(at(50), at(53));
            }
        }
    }

    @Test
    void aLagAlertThatStartsWhileItsJobIsDownNeverPages() {
        assertThat(stories("orders", "FlinkJobNotRunning").values())
                .containsExactly(List.of(STARTED, RESOLVED));
        // orders' lag grows through its outage (70m-90m), but it is suppressed from its start and
        // has cleared by the time the outage resolves: no second lag incident for orders.
        assertThat(of("orders", "FlinkLagGrowing"))
                .allSatisfy(e -> assertThat(e.startsAt()).isLessThan(at(60)));
    }

    @Test
    void anotherJobsAlertsAreUntouchedByTheOutage() {
        Map<String, List<AlertReason>> lag = stories("billing", "FlinkLagGrowing");
        assertThat(lag).hasSize(2);
        assertThat(lag.values())
                .allSatisfy(story -> assertThat(story).containsExactly(STARTED, RESOLVED));
        assertThat(of("billing", "FlinkLagGrowing"))
                .allSatisfy(e -> assertThat(e.inhibitedBy()).isEmpty());
        assertThat(alerts.stream().filter(e -> "billing".equals(e.label("job_name"))))
                .allMatch(e -> e.alertname().equals("FlinkLagGrowing"));
    }

    @Test
    void firingLagAlertsAreMarkedSuppressedWhileTheirJobIsDownThenReleasedAndResolved() {
        AlertEvent down = of("payments", "FlinkJobNotRunning").get(0);
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
                case SUPPRESSED -> {
                    assertThat(event.updatedAt()).isEqualTo(down.startsAt());
                    assertThat(event.inhibitedBy())
                            .containsExactly(
                                    new InhibitingAlert("FlinkJobNotRunning", down.fingerprint()));
                }
                // The job came back at 120m; its alert resolves after the five-minute hold.
                case UNSUPPRESSED -> assertThat(event.updatedAt()).isEqualTo(at(125));
                default -> {}
            }
        }
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

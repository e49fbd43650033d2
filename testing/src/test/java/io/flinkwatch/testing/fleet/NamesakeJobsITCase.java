package io.flinkwatch.testing.fleet;

import static io.flinkwatch.testing.scenario.IncidentKind.CHECKPOINT_FAILURES;
import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE_WITH_LAG;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs that share a name, as on a real session cluster (Flink's default {@code Flink Streaming
 * Job}): one of two namesakes is down for six minutes while its twin runs on, with failing
 * checkpoints, and a third namesake runs on another cluster. The down job's outage is reported as
 * when it runs alone, to the second; its twin's alerts are its own and not inhibited.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NamesakeJobsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final String NAME = "Flink Streaming Job";

    private static List<AlertEvent> alone;
    private static List<AlertEvent> withNamesakes;
    private static Scenario fleet;

    @BeforeAll
    static void replayBothFleets() throws Exception {
        Scenario.Builder soleJob =
                Scenario.starting(Scenario.DEFAULT_START).length(minutes(40)).job("down", NAME);
        soleJob.incident("down", OUTAGE_WITH_LAG, minutes(20), minutes(26));
        alone = replay(soleJob.build());

        fleet =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(40))
                        .job("down", NAME)
                        .job("twin", NAME)
                        .cluster("prod-us")
                        .job("elsewhere", NAME)
                        .incident("down", OUTAGE_WITH_LAG, minutes(20), minutes(26))
                        .incident("twin", CHECKPOINT_FAILURES, minutes(15), minutes(35))
                        .build();
        withNamesakes = replay(fleet);
    }

    @Test
    void theDownNamesakeIsReportedAsIfItRanAloneAndNothingElseOfItIsPublished() {
        String downId = jobId("down");
        List<AlertEvent> ofDown =
                withNamesakes.stream().filter(a -> downId.equals(a.label("job_id"))).toList();

        assertThat(ofDown)
                .extracting(AlertEvent::alertname, AlertEvent::status)
                .containsExactly(
                        tuple("FlinkJobNotRunning", AlertStatus.FIRING),
                        tuple("FlinkJobNotRunning", AlertStatus.RESOLVED));
        // Its id is part of its identity: its alerts are distinct from its twin's.
        assertThat(ofDown.get(0).labels())
                .containsEntry("job_id", downId)
                .containsEntry("job_name", NAME);

        assertThat(alone)
                .extracting(AlertEvent::alertname, AlertEvent::status)
                .containsExactly(
                        tuple("FlinkJobNotRunning", AlertStatus.FIRING),
                        tuple("FlinkJobNotRunning", AlertStatus.RESOLVED));
        assertThat(ofDown)
                .extracting(AlertEvent::startsAt, AlertEvent::endsAt)
                .containsExactly(
                        tuple(alone.get(0).startsAt(), alone.get(0).endsAt()),
                        tuple(alone.get(1).startsAt(), alone.get(1).endsAt()));
        // Down from 20m: 2 minutes later, on the 15 s grid; back at 26m.
        assertThat(Duration.ofMillis(ofDown.get(0).startsAt() - fleet.start().toEpochMilli()))
                .isEqualTo(minutes(22));
    }

    @Test
    void theTwinsOwnIncidentIsPublishedWhileItsNamesakeIsDown() {
        String twinId = jobId("twin");
        List<AlertEvent> ofTwin =
                withNamesakes.stream().filter(a -> twinId.equals(a.label("job_id"))).toList();

        assertThat(ofTwin).isNotEmpty();
        assertThat(ofTwin).extracting(AlertEvent::alertname).doesNotContain("FlinkJobNotRunning");
        assertThat(ofTwin).extracting(AlertEvent::reason).doesNotContain(AlertReason.SUPPRESSED);
        AlertEvent failures =
                ofTwin.stream()
                        .filter(
                                a ->
                                        a.alertname().equals("FlinkCheckpointFailures")
                                                && a.status() == AlertStatus.FIRING)
                        .findFirst()
                        .orElseThrow();
        // Failing from 15m, held for 10 minutes: it starts while its namesake is down (22m–26m).
        assertThat(Duration.ofMillis(failures.startsAt() - fleet.start().toEpochMilli()))
                .isBetween(minutes(25), minutes(26));
    }

    @Test
    void theNamesakeOnAnotherClusterRaisesNothing() {
        assertThat(withNamesakes).filteredOn(a -> "prod-us".equals(a.label("cluster"))).isEmpty();
        assertThat(withNamesakes)
                .allSatisfy(a -> assertThat(a.label("job_id")).isIn(jobId("down"), jobId("twin")));
    }

    private static String jobId(String handle) {
        return fleet.jobs().stream()
                .filter(job -> job.handle().equals(handle))
                .findFirst()
                .orElseThrow()
                .jobId();
    }

    private static List<AlertEvent> replay(Scenario scenario) throws Exception {
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            scenario.forEachStep(publisher::publish);
            publisher.flush();
        }
        TestJobs.environment(topics.config(Map.of("kafka.bounded", "true"))).execute("namesakes");
        return kafka
                .readCommitted(topics.alertsTopic, Duration.ofSeconds(30), read -> false)
                .stream()
                .map(record -> TestJobs.parseAlert(record.value()))
                .toList();
    }
}

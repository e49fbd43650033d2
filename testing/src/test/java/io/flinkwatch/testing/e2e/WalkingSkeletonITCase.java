package io.flinkwatch.testing.e2e;

import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole path: scenario generator → real Kafka broker → Flinkwatch on a Flink MiniCluster →
 * alerts and dead-letter topics read back with read_committed consumers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WalkingSkeletonITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    private static final byte[] MALFORMED =
            "{\"version\": 1, \"timestamp\": oops".getBytes(StandardCharsets.UTF_8);

    private final EmbeddedKafka kafka = SharedKafka.broker();

    @Test
    void outageFiresAndResolvesSilenceFiresAndMalformedSnapshotIsDeadLettered() throws Exception {
        TestJobs topics = new TestJobs(kafka, 2);
        Scenario scenario =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(40))
                        .job("orders-cdc")
                        .job("payments-etl")
                        .incident("orders-cdc", IncidentKind.OUTAGE, minutes(10), minutes(16))
                        .incident("payments-etl", IncidentKind.SILENCE, minutes(25), null)
                        .build();
        List<MetricSnapshot> snapshots = scenario.snapshots();
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            publisher.publish(snapshots.subList(0, snapshots.size() / 2));
            publisher.publishRaw("test-cluster/orders-cdc", MALFORMED);
            publisher.publish(snapshots.subList(snapshots.size() / 2, snapshots.size()));
            publisher.flush();
        }

        // Bounded: the job reads what is in the topic and finishes, like a replay of a recording.
        TestJobs.environment(topics.config(Map.of("kafka.bounded", "true"))).execute("skeleton");

        List<AlertEvent> alerts = alerts(topics, 3, Duration.ofSeconds(30));
        assertThat(alerts).hasSize(3);

        AlertEvent notRunning = only(alerts, "FlinkJobNotRunning", AlertStatus.FIRING);
        // Uptime is 0 from minute 10; held at every evaluation for 2 minutes: fires at minute 12.
        assertThat(Instant.ofEpochMilli(notRunning.startsAt())).isEqualTo(scenario.at(minutes(12)));
        assertThat(notRunning.endsAt()).isNull();
        assertThat(notRunning.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(notRunning.labels())
                .containsEntry("alertname", "FlinkJobNotRunning")
                .containsEntry("cluster", Scenario.DEFAULT_CLUSTER)
                .containsEntry("job_name", "orders-cdc")
                .containsEntry("job_id", scenario.jobs().get(0).jobId())
                .containsEntry("severity", "critical");
        assertThat(notRunning.annotations()).containsKeys("summary", "description", "runbook");
        assertThat(notRunning.annotations().get("runbook"))
                .startsWith("1. Check the Flink dashboard");
        assertThat(notRunning.evidence().values()).containsEntry("uptimeMs", 0.0);
        assertThat(notRunning.evidence().facts()).containsEntry("status", "RESTARTING");
        assertThat(notRunning.groupKey())
                .isEqualTo("{cluster=\"test-cluster\",job_name=\"orders-cdc\"}");

        AlertEvent recovered = only(alerts, "FlinkJobNotRunning", AlertStatus.RESOLVED);
        assertThat(recovered.fingerprint()).isEqualTo(notRunning.fingerprint());
        assertThat(recovered.startsAt()).isEqualTo(notRunning.startsAt());
        assertThat(Instant.ofEpochMilli(recovered.endsAt())).isEqualTo(scenario.at(minutes(16)));

        long lastPaymentsSnapshot =
                snapshots.stream()
                        .filter(s -> s.job().name().equals("payments-etl"))
                        .mapToLong(MetricSnapshot::timestamp)
                        .max()
                        .orElseThrow();
        AlertEvent absent = only(alerts, "FlinkMetricsAbsent", AlertStatus.FIRING);
        assertThat(absent.labels()).containsEntry("job_name", "payments-etl");
        assertThat(absent.startsAt())
                .isEqualTo(lastPaymentsSnapshot + Duration.ofMinutes(2).toMillis());
        assertThat(absent.evidence().facts()).containsEntry("detectedBy", "event time");

        List<ConsumerRecord<byte[], byte[]>> deadLetters =
                kafka.readCommitted(
                        topics.deadLetterTopic, Duration.ofSeconds(30), read -> read.size() >= 1);
        assertThat(deadLetters).hasSize(1);
        DeadLetter letter = DeadLetterJson.fromJson(deadLetters.get(0).value());
        assertThat(letter.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(letter.message()).contains("not valid JSON");
        assertThat(letter.raw()).isEqualTo(MALFORMED);
        assertThat(letter.topic()).isEqualTo(topics.metricsTopic);
    }

    @Test
    void aLoneJobThatGoesSilentIsNoticedByTheWallClock() throws Exception {
        TestJobs topics = new TestJobs(kafka, 1);
        Scenario scenario =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(10))
                        .job("lonely-job")
                        .build();
        List<List<MetricSnapshot>> steps = new ArrayList<>();
        scenario.forEachStep(steps::add);

        JobClient job =
                TestJobs.environment(topics.config(Map.of("rule.metrics-absent.after", "3s")))
                        .executeAsync("lonely");
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            // Ten steps of ten seconds in event time, published two per second of wall clock.
            for (List<MetricSnapshot> step : steps.subList(0, 10)) {
                publisher.publish(step);
                publisher.flush();
                Thread.sleep(500);
            }
            // Silence: only the wall clock moves now.
            List<AlertEvent> fired = alerts(topics, 1, Duration.ofSeconds(60));
            assertThat(fired).hasSize(1);
            AlertEvent absent = fired.get(0);
            assertThat(absent.alertname()).isEqualTo("FlinkMetricsAbsent");
            assertThat(absent.status()).isEqualTo(AlertStatus.FIRING);
            assertThat(absent.evidence().facts()).containsEntry("detectedBy", "wall clock");
            long lastSnapshot =
                    steps.get(9).stream().mapToLong(MetricSnapshot::timestamp).max().orElseThrow();
            assertThat(absent.startsAt()).isEqualTo(lastSnapshot + 3_000);

            // The job speaks again: the alert resolves once event time passes its return and the
            // five-minute resolve hold. Then it falls silent again and the wall clock notices,
            // however far the watermark got meanwhile.
            for (List<MetricSnapshot> step : steps.subList(10, 47)) {
                publisher.publish(step);
            }
            publisher.flush();
            List<AlertEvent> all = alerts(topics, 3, Duration.ofSeconds(60));
            assertThat(all)
                    .extracting(AlertEvent::status)
                    .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED, AlertStatus.FIRING);
            long returned =
                    steps.get(10).stream().mapToLong(MetricSnapshot::timestamp).min().orElseThrow();
            assertThat(all.get(1).endsAt()).isEqualTo(returned);
            long lastAgain =
                    steps.get(46).stream().mapToLong(MetricSnapshot::timestamp).max().orElseThrow();
            assertThat(all.get(2).startsAt()).isEqualTo(lastAgain + 3_000);
        } finally {
            job.cancel().get();
        }
    }

    private List<AlertEvent> alerts(TestJobs topics, int expected, Duration timeout) {
        return kafka
                .readCommitted(topics.alertsTopic, timeout, read -> read.size() >= expected)
                .stream()
                .map(record -> TestJobs.parseAlert(record.value()))
                .toList();
    }

    private static AlertEvent only(List<AlertEvent> alerts, String name, AlertStatus status) {
        List<AlertEvent> matching =
                alerts.stream()
                        .filter(a -> a.alertname().equals(name) && a.status() == status)
                        .toList();
        assertThat(matching).as("%s %s in %s", status, name, alerts).hasSize(1);
        return matching.get(0);
    }
}

package io.flinkwatch.testing.e2e;

import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.IncidentKind.SILENCE;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A recording in which most jobs of a partition stop part-way, replayed bounded in seconds: three
 * jobs share one partition, two stop reporting at 10 minutes, the third runs on and has an outage
 * at 25 minutes. Silence is judged in the recording's event time, as live: the stopped jobs hold
 * event time for 90 s of it, then are missed, and the job that goes on is neither taken for a
 * skewed clock (the stopped pair was the partition's majority) nor kept waiting for them to the end
 * of the recording.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StoppedMajorityReplayITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(40))
                    .job("stops-1")
                    .incident("stops-1", SILENCE, minutes(10), null)
                    .job("stops-2")
                    .incident("stops-2", SILENCE, minutes(10), null)
                    .job("runs")
                    .incident("runs", OUTAGE, minutes(25), minutes(30))
                    .build();

    private static List<AlertEvent> alerts;
    private static List<DeadLetter> deadLetters;

    @BeforeAll
    static void replayTheScenario() throws Exception {
        TestJobs topics = new TestJobs(SharedKafka.broker(), 1);
        alerts = topics.replay(SCENARIO, Map.of());
        deadLetters =
                topics
                        .kafka
                        .readCommitted(topics.deadLetterTopic, Duration.ofSeconds(5), read -> false)
                        .stream()
                        .map(StoppedMajorityReplayITCase::deadLetter)
                        .toList();
    }

    @Test
    void theJobThatGoesOnIsNoSkewedClockAndItsOutageFiresAtItsEventTime() {
        assertThat(deadLetters).isEmpty();
        assertThat(of("runs"))
                .extracting(AlertEvent::alertname)
                .doesNotContain("FlinkwatchClockSkew");
        AlertEvent down = only("runs", "FlinkJobNotRunning");
        assertThat(at(down)).isEqualTo(minutes(27));
    }

    @Test
    void theStoppedJobsAreMissedAsLive() {
        for (String job : List.of("stops-1", "stops-2")) {
            AlertEvent absent = only(job, "FlinkMetricsAbsent");
            assertThat(at(absent)).isBetween(minutes(11), minutes(12));
        }
    }

    private static List<AlertEvent> of(String job) {
        return alerts.stream().filter(a -> job.equals(a.label("job_name"))).toList();
    }

    private static AlertEvent only(String job, String alert) {
        List<AlertEvent> firing =
                of(job).stream()
                        .filter(
                                a ->
                                        a.alertname().equals(alert)
                                                && a.status() == AlertStatus.FIRING)
                        .toList();
        assertThat(firing).as("%s FIRING for %s in %s", alert, job, of(job)).hasSize(1);
        return firing.get(0);
    }

    private static Duration at(AlertEvent event) {
        return Duration.between(SCENARIO.start(), Instant.ofEpochMilli(event.startsAt()));
    }

    private static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
        try {
            return DeadLetterJson.fromJson(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

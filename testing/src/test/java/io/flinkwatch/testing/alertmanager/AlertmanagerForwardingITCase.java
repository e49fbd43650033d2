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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flinkwatch with {@code --alertmanager.url}, on a MiniCluster, forwarding to a real Alertmanager:
 * an alert still firing at the end of the recording is active in Alertmanager, with its labels,
 * annotations and generatorURL; one that resolved is not.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AlertmanagerForwardingITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(40))
                    .job("recovered")
                    .incident("recovered", OUTAGE, minutes(5), minutes(15))
                    .job("down")
                    .incident("down", OUTAGE, minutes(20), null)
                    .build();

    @Test
    void firingAlertsAreActiveInAlertmanagerAndResolvedOnesAreNot() throws Exception {
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);
        try (var producer = kafka.producer();
                LocalAlertmanager alertmanager = LocalAlertmanager.start()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            SCENARIO.forEachStep(publisher::publish);
            publisher.flush();

            TestJobs.environment(
                            topics.config(
                                    Map.of(
                                            "kafka.bounded", "true",
                                            "alertmanager.url", alertmanager.url(),
                                            "alertmanager.generator-url",
                                                    "http://flink-ui:8081/#/job/running/{job_id}/overview")))
                    .execute("forward to alertmanager");

            // Besides the watchdog (the dead man's switch), if a checkpoint completed.
            List<JsonNode> active =
                    alertmanager
                            .awaitAlerts(
                                    alerts -> !withoutWatchdog(alerts).isEmpty(),
                                    Duration.ofSeconds(30))
                            .stream()
                            .filter(alert -> !isWatchdog(alert))
                            .toList();
            assertThat(active).hasSize(1);
            JsonNode down = active.get(0);
            assertThat(down.get("labels").get("alertname").asText())
                    .isEqualTo("FlinkJobNotRunning");
            assertThat(down.get("labels").get("job_name").asText()).isEqualTo("down");
            assertThat(down.get("labels").get("cluster").asText())
                    .isEqualTo(Scenario.DEFAULT_CLUSTER);
            assertThat(down.get("labels").get("severity").asText()).isEqualTo("critical");
            assertThat(down.get("annotations").get("summary").asText())
                    .contains("down")
                    .contains("not running");
            assertThat(down.get("annotations").get("runbook").asText())
                    .startsWith("1. Check the Flink dashboard");
            assertThat(down.get("startsAt").asText())
                    .startsWith(SCENARIO.at(minutes(22)).toString().substring(0, 16));
            assertThat(down.get("generatorURL").asText())
                    .isEqualTo(
                            "http://flink-ui:8081/#/job/running/"
                                    + down.get("labels").get("job_id").asText()
                                    + "/overview");
            assertThat(down.get("status").get("state").asText()).isEqualTo("active");

            // The alerts topic has the same story: recovered fired and resolved, down fires (jobs
            // are handled by different subtasks: only each alert's own events are in order).
            assertThat(
                            kafka
                                    .readCommitted(
                                            topics.alertsTopic,
                                            Duration.ofSeconds(10),
                                            records -> false)
                                    .stream()
                                    .map(record -> TestJobs.parseAlert(record.value()))
                                    .map(
                                            e ->
                                                    e.label("job_name")
                                                            + " "
                                                            + e.alertname()
                                                            + " "
                                                            + e.reason()))
                    .containsExactlyInAnyOrder(
                            "recovered FlinkJobNotRunning STARTED",
                            "recovered FlinkJobNotRunning RESOLVED",
                            "down FlinkJobNotRunning STARTED");
        }
    }

    static boolean isWatchdog(JsonNode alert) {
        return alert.get("labels").get("alertname").asText().equals("FlinkwatchWatchdog");
    }

    static List<JsonNode> withoutWatchdog(List<JsonNode> alerts) {
        return alerts.stream().filter(alert -> !isWatchdog(alert)).toList();
    }
}

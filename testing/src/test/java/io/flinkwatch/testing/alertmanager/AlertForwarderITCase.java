package io.flinkwatch.testing.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.alerts.alertmanager.AlertForwarder;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.InhibitingAlert;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.testing.kafka.FreePorts;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Alertmanager forwarder against a real Alertmanager: what it posts is what Alertmanager shows.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlertForwarderITCase {

    private static final long STARTS = Instant.parse("2026-01-05T00:12:00Z").toEpochMilli();

    private static LocalAlertmanager alertmanager;

    @BeforeAll
    static void startAlertmanager() throws Exception {
        alertmanager = LocalAlertmanager.start();
    }

    @AfterAll
    static void stopAlertmanager() {
        alertmanager.close();
    }

    @Test
    void aFiringAlertIsActiveInAlertmanagerAndItsResolutionEndsIt() throws Exception {
        try (AlertForwarder forwarder = forwarder(alertmanager.url(), 100).start()) {
            AlertEvent firing = event("orders", AlertReason.STARTED, List.of());
            forwarder.accept(firing);

            JsonNode alert =
                    only(
                            alertmanager.awaitAlerts(
                                    alerts -> of(alerts, "orders") != null, Duration.ofSeconds(30)),
                            "orders");
            assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("FlinkLagGrowing");
            assertThat(alert.get("labels").get("severity").asText()).isEqualTo("critical");
            assertThat(alert.get("labels").get("job_id").asText()).isEqualTo("job-orders");
            assertThat(alert.get("annotations").get("runbook").asText()).startsWith("1. ");
            assertThat(alert.get("annotations").get("evidence").asText())
                    .isEqualTo("lagSeconds=42, bottleneck=Sink: warehouse");
            assertThat(alert.get("annotations").get("fingerprint").asText())
                    .isEqualTo(firing.fingerprint());
            assertThat(alert.get("startsAt").asText()).startsWith("2026-01-05T00:12:00");
            assertThat(alert.get("generatorURL").asText())
                    .isEqualTo("http://flink.example:8081/#/job/running/job-orders/overview");
            assertThat(alert.get("status").get("state").asText()).isEqualTo("active");

            forwarder.accept(resolved(firing));

            alertmanager.awaitAlerts(
                    alerts -> of(alerts, "orders") == null, Duration.ofSeconds(30));
            assertThat(forwarder.firing()).isEmpty();
        }
    }

    @Test
    void aSuppressedAlertSaysWhatInhibitsIt() throws Exception {
        try (AlertForwarder forwarder = forwarder(alertmanager.url(), 100).start()) {
            forwarder.accept(
                    event(
                            "billing",
                            AlertReason.SUPPRESSED,
                            List.of(
                                    new InhibitingAlert(
                                            "FlinkJobNotRunning", "00000000000000aa"))));

            JsonNode alert =
                    only(
                            alertmanager.awaitAlerts(
                                    alerts -> of(alerts, "billing") != null,
                                    Duration.ofSeconds(30)),
                            "billing");
            assertThat(alert.get("annotations").get("inhibited_by").asText())
                    .isEqualTo("FlinkJobNotRunning (00000000000000aa)");
        }
    }

    @Test
    void anUnreachableAlertmanagerIsRetriedWithBackoffUntilItAnswers() throws Exception {
        int port = FreePorts.next();
        try (AlertForwarder forwarder = forwarder("http://127.0.0.1:" + port, 100).start()) {
            forwarder.accept(event("late", AlertReason.STARTED, List.of()));
            while (forwarder.failedPosts() < 2) {
                Thread.sleep(50);
            }
            assertThat(forwarder.posted()).isZero();

            try (LocalAlertmanager late = LocalAlertmanager.start(port)) {
                late.awaitAlerts(alerts -> of(alerts, "late") != null, Duration.ofSeconds(60));
                assertThat(forwarder.posted()).isPositive();
            }
        }
    }

    @Test
    void aFullQueueDropsTheOldestEventsInsteadOfBlocking() {
        try (AlertForwarder forwarder = forwarder("http://127.0.0.1:" + FreePorts.next(), 10)) {
            // Not started: nothing leaves the queue, as when Alertmanager is down for long.
            for (int i = 0; i < 1000; i++) {
                forwarder.accept(event("job-" + i, AlertReason.STARTED, List.of()));
            }

            assertThat(forwarder.queued()).isEqualTo(10);
            assertThat(forwarder.dropped()).isEqualTo(990);
            // Every alert still counts as firing, to be re-posted once Alertmanager answers.
            assertThat(forwarder.firing()).hasSize(1000);
        }
    }

    private static AlertForwarder forwarder(String url, int capacity) {
        return new AlertForwarder(
                new AlertForwarder.Settings(
                        URI.create(url),
                        "http://flink.example:8081/#/job/running/{job_id}/overview",
                        Duration.ofMinutes(1),
                        capacity,
                        Duration.ofSeconds(5)));
    }

    static AlertEvent event(String job, AlertReason reason, List<InhibitingAlert> inhibitedBy) {
        Map<String, String> labels =
                Map.of(
                        "alertname", "FlinkLagGrowing",
                        "severity", "critical",
                        "cluster", "prod",
                        "job_name", job,
                        "job_id", "job-" + job);
        return new AlertEvent(
                "FlinkLagGrowing",
                Severity.CRITICAL,
                AlertStatus.FIRING,
                labels,
                Map.of(
                        "summary",
                        "Lag grows on " + job,
                        "description",
                        "d",
                        "runbook",
                        "1. Check the source."),
                STARTS,
                null,
                io.flinkwatch.alerts.event.Fingerprint.of(labels),
                "{cluster=\"prod\",job_name=\"" + job + "\"}",
                Evidence.builder()
                        .value("lagSeconds", 42)
                        .fact("bottleneck", "Sink: warehouse")
                        .build(),
                reason,
                STARTS,
                inhibitedBy);
    }

    private static AlertEvent resolved(AlertEvent firing) {
        return new AlertEvent(
                firing.alertname(),
                firing.severity(),
                AlertStatus.RESOLVED,
                firing.labels(),
                firing.annotations(),
                firing.startsAt(),
                STARTS + 600_000,
                firing.fingerprint(),
                firing.groupKey(),
                firing.evidence(),
                AlertReason.RESOLVED,
                STARTS + 600_000,
                List.of());
    }

    static JsonNode of(List<JsonNode> alerts, String job) {
        return alerts.stream()
                .filter(a -> job.equals(a.get("labels").path("job_name").asText()))
                .findFirst()
                .orElse(null);
    }

    private static JsonNode only(List<JsonNode> alerts, String job) {
        assertThat(
                        alerts.stream()
                                .filter(a -> job.equals(a.get("labels").path("job_name").asText())))
                .hasSize(1);
        return of(alerts, job);
    }
}

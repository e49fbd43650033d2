package io.flinkwatch.alerts.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertJsonTest {

    private static final long STARTS = Instant.parse("2026-01-05T00:12:00Z").toEpochMilli();

    private final AlertEvent firing =
            new AlertEvent(
                    "FlinkHighBackpressure",
                    Severity.WARNING,
                    AlertStatus.FIRING,
                    Map.of(
                            "alertname",
                            "FlinkHighBackpressure",
                            "job_name",
                            "orders",
                            "subtask_index",
                            "1"),
                    Map.of("summary", "s", "description", "d", "runbook", "1. a\n2. b"),
                    STARTS,
                    null,
                    "0123456789abcdef",
                    "{cluster=\"prod\",job_name=\"orders\"}",
                    Evidence.builder()
                            .value("busyTimeMsPerSecond", 987.5)
                            .value("count", 3)
                            .fact("bottleneck", "Sink: warehouse")
                            .build(),
                    AlertReason.SUPPRESSED,
                    STARTS + 30_000,
                    List.of(new InhibitingAlert("FlinkJobNotRunning", "fedcba9876543210")));

    @Test
    void roundTrips() throws Exception {
        assertThat(AlertJson.fromJson(AlertJson.toJson(firing))).isEqualTo(firing);
        AlertEvent resolved =
                new AlertEvent(
                        firing.alertname(),
                        firing.severity(),
                        AlertStatus.RESOLVED,
                        firing.labels(),
                        firing.annotations(),
                        STARTS,
                        STARTS + 60_000,
                        firing.fingerprint(),
                        firing.groupKey(),
                        firing.evidence(),
                        AlertReason.RESOLVED,
                        STARTS + 60_000,
                        List.of());
        assertThat(AlertJson.fromJson(AlertJson.toJson(resolved))).isEqualTo(resolved);
    }

    @Test
    void writesTheDocumentedFields() throws Exception {
        JsonNode node = new ObjectMapper().readTree(AlertJson.toJson(firing));

        assertThat(node.get("version").asInt()).isEqualTo(1);
        assertThat(node.get("status").asText()).isEqualTo("FIRING");
        assertThat(node.get("severity").asText()).isEqualTo("warning");
        assertThat(node.get("startsAt").asText()).isEqualTo("2026-01-05T00:12:00Z");
        assertThat(node.get("endsAt").isNull()).isTrue();
        assertThat(node.get("reason").asText()).isEqualTo("SUPPRESSED");
        assertThat(node.get("updatedAt").asText()).isEqualTo("2026-01-05T00:12:30Z");
        assertThat(node.get("inhibitedBy").get(0).get("alertname").asText())
                .isEqualTo("FlinkJobNotRunning");
        assertThat(node.get("labels").get("subtask_index").asText()).isEqualTo("1");
        assertThat(node.get("evidence").get("values").get("count").isIntegralNumber()).isTrue();
        assertThat(node.get("evidence").get("values").get("busyTimeMsPerSecond").asDouble())
                .isEqualTo(987.5);
        assertThat(node.get("evidence").get("facts").get("bottleneck").asText())
                .isEqualTo("Sink: warehouse");
    }

    @Test
    void aResolvedEventMustSayItResolved() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new AlertEvent(
                                        firing.alertname(),
                                        firing.severity(),
                                        AlertStatus.RESOLVED,
                                        firing.labels(),
                                        firing.annotations(),
                                        STARTS,
                                        STARTS,
                                        firing.fingerprint(),
                                        firing.groupKey(),
                                        firing.evidence(),
                                        AlertReason.STARTED,
                                        STARTS,
                                        List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalEventsAreEqualBytes() {
        assertThat(AlertJson.toJson(firing)).isEqualTo(AlertJson.toJson(firing));
    }
}

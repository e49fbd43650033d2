package io.flinkwatch.alerts.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/alert.schema.json describes what {@link AlertJson} writes. */
class AlertSchemaTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void firingAndResolvedEventsAreValid() throws Exception {
        JsonSchema schema;
        try (InputStream in = Files.newInputStream(Path.of("..", "docs", "alert.schema.json"))) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        Map<String, String> labels =
                Map.of(
                        "alertname", "FlinkHighBackpressure",
                        "severity", "warning",
                        "cluster", "prod",
                        "job_name", "orders",
                        "job_id", "abc",
                        "task_name", "Sink: warehouse",
                        "subtask_index", "1");
        Map<String, String> annotations =
                Map.of("summary", "s", "description", "d", "runbook", "1. x");
        Evidence evidence =
                Evidence.builder()
                        .value("busyTimeMsPerSecond", 990)
                        .fact("bottleneck", "Sink: warehouse")
                        .build();
        AlertEvent firing =
                new AlertEvent(
                        "FlinkHighBackpressure",
                        Severity.WARNING,
                        AlertStatus.FIRING,
                        labels,
                        annotations,
                        1767571200000L,
                        null,
                        "0123456789abcdef",
                        "{cluster=\"prod\",job_name=\"orders\"}",
                        evidence,
                        AlertReason.SUPPRESSED,
                        1767571500000L,
                        List.of(new InhibitingAlert("FlinkJobNotRunning", "fedcba9876543210")));
        AlertEvent resolved =
                new AlertEvent(
                        "FlinkHighBackpressure",
                        Severity.WARNING,
                        AlertStatus.RESOLVED,
                        labels,
                        annotations,
                        1767571200000L,
                        1767571800000L,
                        "0123456789abcdef",
                        "{cluster=\"prod\",job_name=\"orders\"}",
                        evidence,
                        AlertReason.RESOLVED,
                        1767571800000L,
                        List.of());

        assertThat(schema.validate(MAPPER.readTree(AlertJson.toJson(firing)))).isEmpty();
        assertThat(schema.validate(MAPPER.readTree(AlertJson.toJson(resolved)))).isEmpty();
    }
}

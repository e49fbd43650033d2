package io.flinkwatch.testing.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineReplayTest {

    @Test
    void aProductionParameterListKeepsWhatDecidesAlertsAndDropsWhereItReadsWritesAndPages() {
        Map<String, String> production = new LinkedHashMap<>();
        production.put("kafka.bootstrap-servers", "kafka:9093");
        production.put("kafka.metrics-topics", "flink-metrics");
        production.put("kafka.group-id", "flinkwatch");
        production.put("kafka.properties.security.protocol", "SASL_SSL");
        production.put("kafka.properties-file", "/etc/flinkwatch/kafka.properties");
        production.put("alertmanager.url", "http://alertmanager:9093");
        production.put("alertmanager.bearer-token-file", "/etc/flinkwatch/token");
        production.put("rule.lag-growing.for", "3m");
        production.put("lifecycle.resolve-hold", "2m");
        production.put("watermark.idleness", "30s");
        production.put("delivery.guarantee", "at-least-once");

        assertThat(PipelineReplay.used(production))
                .containsExactly(
                        Map.entry("rule.lag-growing.for", "3m"),
                        Map.entry("lifecycle.resolve-hold", "2m"),
                        Map.entry("watermark.idleness", "30s"),
                        Map.entry("delivery.guarantee", "at-least-once"));
    }
}

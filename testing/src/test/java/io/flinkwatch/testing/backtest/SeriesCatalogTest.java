package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.min;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.job.config.FlinkwatchConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The series behind FlinkLagGrowing, under the names each publisher gives it. */
class SeriesCatalogTest {

    private static final FlinkwatchConfig DEFAULTS = FlinkwatchConfig.defaults();

    @ParameterizedTest
    @ValueSource(
            strings = {
                // The reporter plugin: the metric-group path, with dots.
                "KafkaSourceReader.KafkaConsumer.records-lag-max",
                // The Prometheus bridge: the group path as Prometheus sanitized it.
                "KafkaSourceReader_KafkaConsumer.records-lag-max",
                // The consumer-group lag poller: the bare name.
                "records-lag-max"
            })
    void theRecordsBehindAreReadUnderEveryPublishersName(String name) {
        SeriesSpec spec =
                SeriesCatalog.of(
                        lagEpisode(
                                Evidence.builder()
                                        .value("recordsLagMax", 40_210)
                                        .value("lagSlopePerSecond", 104)
                                        .fact("signal", "records-lag-max")
                                        .build()),
                        DEFAULTS);

        MetricSnapshot snapshot = source(Map.of(name, 40_210.0));
        assertThat(spec.matches(snapshot)).isTrue();
        assertThat(spec.value().applyAsDouble(snapshot)).isEqualTo(40_210.0);
        assertThat(spec.trend().slopePerSecond()).isEqualTo(104.0);
    }

    @Test
    void aLagJudgedInTimeIsPlottedInSeconds() {
        SeriesSpec spec =
                SeriesCatalog.of(
                        lagEpisode(
                                Evidence.builder()
                                        .value("lagSeconds", 231)
                                        .value("lagSecondsGrowthPerMinute", 48)
                                        .value("recordsLagMax", 40_210)
                                        .fact("signal", "currentEmitEventTimeLag")
                                        .build()),
                        DEFAULTS);

        MetricSnapshot snapshot =
                source(
                        Map.of(
                                "currentEmitEventTimeLag", 231_000.0,
                                "KafkaSourceReader.KafkaConsumer.records-lag-max", 40_210.0));
        assertThat(spec.unit()).isEqualTo("s");
        assertThat(spec.value().applyAsDouble(snapshot)).isEqualTo(231.0);
        assertThat(spec.evidenceKey()).isEqualTo("lagSeconds");
        assertThat(spec.trend().slopePerSecond()).isEqualTo(0.8);
    }

    private static MetricSnapshot source(Map<String, Double> metrics) {
        return new MetricSnapshot(
                min(1),
                "prod",
                JobRef.of("id-orders", "orders"),
                Scope.operator("v-source", "Source: orders", 0, 0, "o-source", "Source: orders"),
                metrics,
                null);
    }

    private static Episode lagEpisode(Evidence evidence) {
        return Events.episode(
                "FlinkLagGrowing",
                Map.of(
                        "task_name", "Source: orders",
                        "subtask_index", "0",
                        "operator_name", "Source: orders"),
                evidence);
    }
}

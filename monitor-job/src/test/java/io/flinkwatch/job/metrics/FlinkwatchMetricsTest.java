package io.flinkwatch.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlinkwatchMetricsTest {

    @Test
    void prometheusNamesFollowTheReporterScopeAndGroupKeys() {
        assertThat(
                        new FlinkwatchMetrics.Exported(
                                        "numDeadLetters",
                                        java.util.List.of("reason"),
                                        FlinkwatchMetrics.Kind.COUNTER,
                                        "validate snapshots",
                                        "")
                                .prometheusName())
                .isEqualTo("flink_taskmanager_job_task_operator_reason_numDeadLetters");
        assertThat(FlinkwatchMetrics.ALL)
                .extracting(FlinkwatchMetrics.Exported::prometheusName)
                .contains(
                        "flink_taskmanager_job_task_operator_alertname_state_openAlerts",
                        "flink_taskmanager_job_task_operator_numSnapshotsAcceptedPerSecond");
    }

    @Test
    void operatorLabelsAreWrittenAsTheReporterWritesThem() {
        // As seen in a scrape of Flink 2.2.1's reporter (OwnHealthMetricsITCase).
        assertThat(FlinkwatchMetrics.prometheusLabel(FlinkwatchMetrics.ANALYTICS))
                .isEqualTo("analytics:_job_health__throughput__backpressure__lag");
        assertThat(FlinkwatchMetrics.prometheusLabel(FlinkwatchMetrics.LATE_EDGES))
                .isEqualTo("detection:_late_condition_edges__counted_");
    }
}

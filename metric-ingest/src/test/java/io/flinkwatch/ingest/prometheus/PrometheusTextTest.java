package io.flinkwatch.ingest.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsSamplesWithLabelsAsFlinksReporterWritesThem() {
        String text =
                """
                # HELP flink_taskmanager_job_task_busyTimeMsPerSecond busyTimeMsPerSecond (scope: taskmanager_job_task)
                # TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge
                flink_taskmanager_job_task_busyTimeMsPerSecond{host="127_0_0_1",job_id="6f0e",task_id="6d26",job_name="orders_cdc",subtask_index="1",} 987.0
                flink_jobmanager_numRunningJobs{host="127_0_0_1",} 1.0

                flink_taskmanager_job_task_isBackPressured{task_name="Sink: \\"warehouse\\"\\n",} 0.0
                """;
        PrometheusText.Parsed parsed = PrometheusText.parse(text);
        assertThat(parsed.unreadableLines()).isZero();
        assertThat(parsed.samples())
                .containsExactly(
                        new PrometheusSample(
                                "flink_taskmanager_job_task_busyTimeMsPerSecond",
                                Map.of(
                                        "host",
                                        "127_0_0_1",
                                        "job_id",
                                        "6f0e",
                                        "task_id",
                                        "6d26",
                                        "job_name",
                                        "orders_cdc",
                                        "subtask_index",
                                        "1"),
                                987.0),
                        new PrometheusSample(
                                "flink_jobmanager_numRunningJobs",
                                Map.of("host", "127_0_0_1"),
                                1.0),
                        new PrometheusSample(
                                "flink_taskmanager_job_task_isBackPressured",
                                Map.of("task_name", "Sink: \"warehouse\"\n"),
                                0.0));
    }

    @Test
    void specialValuesTimestampsAndNoLabels() {
        assertThat(PrometheusText.parseLine("up 1").value()).isEqualTo(1.0);
        assertThat(PrometheusText.parseLine("x{} NaN").value()).isNaN();
        assertThat(PrometheusText.parseLine("x +Inf").value()).isInfinite();
        assertThat(PrometheusText.parseLine("x -Inf").value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PrometheusText.parseLine("x{a=\"b\"} 2.5e3 1700000000000").value())
                .isEqualTo(2500.0);
    }

    @Test
    void unreadableLinesAreCountedNotFatal() {
        PrometheusText.Parsed parsed =
                PrometheusText.parse(
                        "ok 1\n{broken} 2\nx{a=\"unclosed} 3\nnovalue\ny{a=\"b\"} twelve\nlast 4");
        assertThat(parsed.samples())
                .extracting(PrometheusSample::name)
                .containsExactly("ok", "last");
        assertThat(parsed.unreadableLines()).isEqualTo(4);
    }
}

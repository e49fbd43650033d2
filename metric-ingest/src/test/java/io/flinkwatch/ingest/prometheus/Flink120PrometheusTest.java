package io.flinkwatch.ingest.prometheus;

import static io.flinkwatch.ingest.Recorded.JOB_1_20;
import static io.flinkwatch.ingest.Recorded.SOURCE_1_20;
import static io.flinkwatch.ingest.Recorded.WAREHOUSE_1_20;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.ingest.Recorded;
import io.flinkwatch.ingest.rest.FlinkRestClient;
import io.flinkwatch.ingest.rest.JobDetails;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scrapes of a real Flink 1.20.5 cluster's Prometheus reporter (flink-metrics-prometheus 1.20.3,
 * the newest 1.20 build Maven Central serves), through the bridge's parser and mapping: the same
 * names, labels and text format (with the trailing comma in label sets) as 2.2, except that the
 * JobManager has no {@code lastCheckpointCompletedTimestamp}.
 */
class Flink120PrometheusTest {

    private static final long T = 1_796_612_418_890L;

    private static List<PrometheusSample> scrape() {
        List<PrometheusSample> samples = new ArrayList<>();
        for (String endpoint : List.of("jobmanager", "taskmanager")) {
            PrometheusText.Parsed parsed =
                    PrometheusText.parse(
                            Recorded.text("flink-1.20.5/prometheus-" + endpoint + ".txt"));
            assertThat(parsed.unreadableLines()).as(endpoint).isZero();
            samples.addAll(parsed.samples());
        }
        return samples;
    }

    private static JobDetails recordedJob() throws Exception {
        return FlinkRestClient.jobDetails(
                new ObjectMapper().readTree(Recorded.text("flink-1.20.5/jobs-jid.json")), 2000L);
    }

    @Test
    void taskAndOperatorSamplesMapToTheMetricsFlinkwatchReads() {
        List<MetricSnapshot> snapshots =
                PrometheusSnapshots.assemble(scrape(), T, "it", false, id -> null);

        MetricSnapshot sink = task(snapshots, WAREHOUSE_1_20);
        assertThat(sink.metric(FlinkMetricNames.BUSY_TIME_MS_PER_SECOND)).isGreaterThan(900.0);
        assertThat(sink.metric(FlinkMetricNames.IS_BACK_PRESSURED)).isEqualTo(0.0);
        MetricSnapshot source = task(snapshots, SOURCE_1_20);
        assertThat(source.metric(FlinkMetricNames.IS_BACK_PRESSURED)).isEqualTo(1.0);
        assertThat(source.metric(FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND)).isNotNull();

        MetricSnapshot kafka =
                snapshots.stream()
                        .filter(s -> s.scope().level() == ScopeLevel.OPERATOR)
                        .filter(s -> SOURCE_1_20.equals(s.scope().operatorId()))
                        .findFirst()
                        .orElseThrow();
        assertThat(kafka.metrics())
                .containsKeys(
                        "KafkaSourceReader_KafkaConsumer.records-lag-max",
                        "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                        "KafkaSourceReader.topic.orders.partition.1.currentOffset");
    }

    @Test
    void theJobManagerHasNoLastCheckpointCompletedTimestampButTheCountsFlinkwatchFallsBackOn() {
        MetricSnapshot job =
                PrometheusSnapshots.assemble(scrape(), T, "it", false, id -> null).stream()
                        .filter(s -> s.scope().level() == ScopeLevel.JOB)
                        .findFirst()
                        .orElseThrow();

        assertThat(job.job().id()).isEqualTo(JOB_1_20);
        assertThat(job.metrics())
                .doesNotContainKey(FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP)
                .containsKeys(
                        FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS,
                        FlinkMetricNames.TOTAL_NUMBER_OF_CHECKPOINTS,
                        FlinkMetricNames.UPTIME,
                        FlinkMetricNames.NUM_RESTARTS);
    }

    @Test
    void vertexNamesThatTheReporterFilteredComeBackFromTheRestApi() throws Exception {
        // The reporter turns "warehouse -> warehouse-delivered: Writer" into
        // "warehouse____warehouse_delivered:_Writer"; alerts must name the vertex as Flink does.
        assertThat(
                        task(
                                        PrometheusSnapshots.assemble(
                                                scrape(), T, "it", false, id -> null),
                                        WAREHOUSE_1_20)
                                .scope()
                                .vertexName())
                .isEqualTo("warehouse____warehouse_delivered:_Writer");

        JobDetails job = recordedJob();
        List<MetricSnapshot> named =
                PrometheusSnapshots.assemble(
                        scrape(), T, "it", false, id -> id.equals(JOB_1_20) ? job : null);
        assertThat(task(named, WAREHOUSE_1_20).scope().vertexName())
                .isEqualTo("warehouse -> warehouse-delivered: Writer");
        assertThat(task(named, WAREHOUSE_1_20).job().name()).isEqualTo("sample-orders");
        assertThat(
                        named.stream()
                                .filter(s -> s.scope().level() == ScopeLevel.JOB)
                                .findFirst()
                                .orElseThrow()
                                .topology()
                                .vertices())
                .hasSize(3);
    }

    private static MetricSnapshot task(List<MetricSnapshot> snapshots, String vertexId) {
        return snapshots.stream()
                .filter(s -> s.scope().level() == ScopeLevel.TASK)
                .filter(s -> vertexId.equals(s.scope().vertexId()))
                .findFirst()
                .orElseThrow();
    }
}

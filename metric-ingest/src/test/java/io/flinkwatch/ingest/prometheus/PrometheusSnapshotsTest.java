package io.flinkwatch.ingest.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.rest.JobDetails;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Samples as Flink 2.2's Prometheus reporter names them (label values filtered, its default). */
class PrometheusSnapshotsTest {

    private static final long T = 1_767_571_200_000L;
    private static final String JOB = "6f0e1c9a2b3d4e5f6a7b8c9d0e1f2a3b";
    private static final String SINK = "6d2677a0ecc3fd8df0b72ec675edf8f4";
    private static final String SOURCE = "cbc357ccb763df2852fee8c4fc7d55f2";

    private static final String SCRAPE =
            """
            flink_jobmanager_job_uptime{host="127_0_0_1",job_id="%1$s",job_name="orders_cdc",} 86400000.0
            flink_jobmanager_job_numberOfFailedCheckpoints{host="127_0_0_1",job_id="%1$s",job_name="orders_cdc",} 2.0
            flink_jobmanager_job_lastCheckpointExternalPath{host="127_0_0_1",job_id="%1$s",job_name="orders_cdc",} 0.0
            flink_jobmanager_numRunningJobs{host="127_0_0_1",} 1.0
            flink_taskmanager_Status_JVM_CPU_Load{host="127_0_0_1",tm_id="tm_1",} 0.5
            flink_taskmanager_job_task_busyTimeMsPerSecond{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%2$s",task_name="Sink__warehouse",task_attempt_id="a1",task_attempt_num="0",subtask_index="1",} 987.0
            flink_taskmanager_job_task_isBackPressured{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%2$s",task_name="Sink__warehouse",task_attempt_id="a1",task_attempt_num="0",subtask_index="1",} 0.0
            flink_taskmanager_job_task_numRecordsInPerSecond{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%2$s",task_name="Sink__warehouse",task_attempt_id="a1",task_attempt_num="0",subtask_index="1",} NaN
            flink_taskmanager_job_task_Shuffle_Netty_Input_Buffers_inPoolUsage{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%2$s",task_name="Sink__warehouse",task_attempt_id="a1",task_attempt_num="0",subtask_index="1",} 0.9
            flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",} 42.0
            flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",topic="orders",partition="0",} 98765432.0
            flink_taskmanager_job_task_operator_enrich_state_rocksdb_compaction_pending{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",} 1.0
            flink_taskmanager_job_task_operator_currentEmitEventTimeLag{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",} 231000.0
            flink_taskmanager_job_task_operator_pendingRecords{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",} 40210.0
            flink_taskmanager_job_task_operator_numRecordsIn{host="127_0_0_1",tm_id="tm_1",job_id="%1$s",job_name="orders_cdc",task_id="%3$s",task_name="Source__orders",task_attempt_id="a0",task_attempt_num="0",subtask_index="0",operator_id="%3$s",operator_name="Source__orders",} 5.0
            """
                    .formatted(JOB, SINK, SOURCE);

    @Test
    void groupsMonitoredMetricsByScopeAndRestoresFlinkNames() {
        List<MetricSnapshot> snapshots =
                PrometheusSnapshots.assemble(
                        PrometheusText.parse(SCRAPE).samples(), T, "prod-eu", false, id -> null);

        assertThat(snapshots).hasSize(3);
        MetricSnapshot job = snapshots.get(0);
        assertThat(job.scope()).isEqualTo(Scope.job());
        assertThat(job.job().id()).isEqualTo(JOB);
        assertThat(job.job().name()).isEqualTo("orders_cdc");
        assertThat(job.metrics())
                .isEqualTo(Map.of("uptime", 86400000.0, "numberOfFailedCheckpoints", 2.0));
        assertThat(job.timestamp()).isEqualTo(T);
        assertThat(job.cluster()).isEqualTo("prod-eu");
        assertThat(job.external()).isFalse();

        MetricSnapshot sink = snapshots.get(1);
        assertThat(sink.scope()).isEqualTo(Scope.task(SINK, "Sink__warehouse", 1, 0));
        // NaN samples are left out, as the wire format has no NaN.
        assertThat(sink.metrics())
                .isEqualTo(Map.of("busyTimeMsPerSecond", 987.0, "isBackPressured", 0.0));

        MetricSnapshot source = snapshots.get(2);
        assertThat(source.scope())
                .isEqualTo(
                        Scope.operator(SOURCE, "Source__orders", 0, 0, SOURCE, "Source__orders"));
        assertThat(source.metrics())
                .isEqualTo(
                        Map.of(
                                "KafkaSourceReader_KafkaConsumer.records-lag-max", 42.0,
                                "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                                        98765432.0,
                                "currentEmitEventTimeLag", 231000.0,
                                "pendingRecords", 40210.0,
                                "enrich_state.rocksdb.compaction-pending", 1.0));
    }

    @Test
    void theJobManagerRestApiRestoresNamesAndAddsStatusGraphAndInterval() {
        Topology graph =
                new Topology(
                        List.of(
                                new Topology.Vertex(SOURCE, "Source: orders", 1, List.of()),
                                new Topology.Vertex(SINK, "Sink: warehouse", 2, List.of(SOURCE))));
        JobDetails details = new JobDetails(JOB, "orders-cdc", "RUNNING", graph, 60_000L);

        List<MetricSnapshot> snapshots =
                PrometheusSnapshots.assemble(
                        PrometheusText.parse(SCRAPE).samples(),
                        T,
                        "prod-eu",
                        false,
                        id -> id.equals(JOB) ? details : null);

        MetricSnapshot job = snapshots.get(0);
        assertThat(job.job().name()).isEqualTo("orders-cdc");
        assertThat(job.job().status()).isEqualTo("RUNNING");
        assertThat(job.job().checkpointIntervalMs()).isEqualTo(60_000L);
        assertThat(job.topology()).isEqualTo(graph);
        assertThat(snapshots.get(1).job().name()).isEqualTo("orders-cdc");
        assertThat(snapshots.get(1).scope().vertexName()).isEqualTo("Sink: warehouse");
        assertThat(snapshots.get(1).topology()).isNull();
        assertThat(snapshots.get(2).scope().vertexName()).isEqualTo("Source: orders");
    }

    @Test
    void allMetricsKeepsTheSanitizedNamesOfUnknownOnes() {
        List<MetricSnapshot> snapshots =
                PrometheusSnapshots.assemble(
                        PrometheusText.parse(SCRAPE).samples(), T, "prod-eu", true, id -> null);
        assertThat(snapshots.get(0).metrics()).containsEntry("lastCheckpointExternalPath", 0.0);
        assertThat(snapshots.get(1).metrics())
                .containsEntry("Shuffle_Netty_Input_Buffers_inPoolUsage", 0.9);
        assertThat(snapshots.get(2).metrics()).containsEntry("numRecordsIn", 5.0);
    }
}

package io.flinkwatch.ingest.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scope variables as Flink 2.2 sets them on its metric groups. */
class ScopeMappingTest {

    private static final Map<String, String> JOB =
            Map.of("<host>", "jm-0", "<job_id>", "6f0e1c9a", "<job_name>", "orders-cdc");

    private static final Map<String, String> TASK =
            Map.of(
                    "<host>",
                    "tm-1",
                    "<tm_id>",
                    "tm-1-abc",
                    "<job_id>",
                    "6f0e1c9a",
                    "<job_name>",
                    "orders-cdc",
                    "<task_id>",
                    "cbc357cc",
                    "<task_name>",
                    "Source: orders",
                    "<subtask_index>",
                    "1",
                    "<task_attempt_id>",
                    "a1b2",
                    "<task_attempt_num>",
                    "2");

    @Test
    void jobManagerJobGroupIsJobLevel() {
        ReportedScope scope = ScopeMapping.scopeOf(JOB);
        assertThat(scope).isEqualTo(new ReportedScope("6f0e1c9a", "orders-cdc", Scope.job()));
        assertThat(ScopeMapping.nameOf(scope, "jobmanager.job", JOB, "uptime")).isEqualTo("uptime");
    }

    @Test
    void taskGroupCarriesVertexSubtaskAndAttempt() {
        ReportedScope scope = ScopeMapping.scopeOf(TASK);
        assertThat(scope.scope()).isEqualTo(Scope.task("cbc357cc", "Source: orders", 1, 2));
        assertThat(ScopeMapping.nameOf(scope, "taskmanager.job.task", TASK, "busyTimeMsPerSecond"))
                .isEqualTo("busyTimeMsPerSecond");
        // A sub-group of the task (e.g. Shuffle.Netty.Input.Buffers) keeps its path.
        assertThat(
                        ScopeMapping.nameOf(
                                scope,
                                "taskmanager.job.task.Shuffle.Netty.Input.Buffers",
                                TASK,
                                "inPoolUsage"))
                .isEqualTo("Shuffle.Netty.Input.Buffers.inPoolUsage");
    }

    @Test
    void keyValueGroupsGetTheirValuesBack() {
        Map<String, String> operator = new java.util.HashMap<>(TASK);
        operator.put("<operator_id>", "cbc357cc");
        operator.put("<operator_name>", "Source: orders");
        operator.put("<topic>", "orders");
        operator.put("<partition>", "3");
        ReportedScope scope = ScopeMapping.scopeOf(operator);
        assertThat(scope.scope())
                .isEqualTo(
                        Scope.operator(
                                "cbc357cc", "Source: orders", 1, 2, "cbc357cc", "Source: orders"));
        assertThat(
                        ScopeMapping.nameOf(
                                scope,
                                "taskmanager.job.task.operator.KafkaSourceReader.topic.partition",
                                operator,
                                "currentOffset"))
                .isEqualTo("KafkaSourceReader.topic.orders.partition.3.currentOffset");
        assertThat(
                        ScopeMapping.nameOf(
                                scope,
                                "taskmanager.job.task.operator.KafkaSourceReader.KafkaConsumer",
                                operator,
                                "records-lag-max"))
                .isEqualTo("KafkaSourceReader.KafkaConsumer.records-lag-max");
    }

    @Test
    void processGroupsAndTheTaskManagersJobGroupAreNoSnapshotScope() {
        assertThat(ScopeMapping.scopeOf(Map.of("<host>", "tm-1", "<tm_id>", "tm-1-abc"))).isNull();
        assertThat(
                        ScopeMapping.scopeOf(
                                Map.of(
                                        "<host>",
                                        "tm-1",
                                        "<tm_id>",
                                        "tm-1-abc",
                                        "<job_id>",
                                        "6f0e1c9a",
                                        "<job_name>",
                                        "orders-cdc")))
                .isNull();
        // Operator coordinators live in the JobManager: an operator without a task.
        assertThat(
                        ScopeMapping.scopeOf(
                                Map.of(
                                        "<host>",
                                        "jm-0",
                                        "<job_id>",
                                        "6f0e1c9a",
                                        "<job_name>",
                                        "orders-cdc",
                                        "<operator_id>",
                                        "x")))
                .isNull();
    }

    @Test
    void aGroupOutsideTheScopesLevelHasNoName() {
        ReportedScope scope = ScopeMapping.scopeOf(TASK);
        assertThat(ScopeMapping.nameOf(scope, "taskmanager.job", TASK, "x")).isNull();
    }

    @Test
    void overLongNamesAreCutToWhatTheWireFormatAccepts() {
        String longName = "x".repeat(2000);
        ReportedScope scope = ScopeMapping.scopeOf(Map.of("<job_id>", "j", "<job_name>", longName));
        assertThat(scope.jobName()).hasSize(1024);
    }
}

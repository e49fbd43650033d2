package io.flinkwatch.ingest.reporter;

import static io.flinkwatch.ingest.Recorded.JOB_1_20;
import static io.flinkwatch.ingest.Recorded.SOURCE_1_20;
import static io.flinkwatch.ingest.Recorded.WAREHOUSE_1_20;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.Recorded;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots that the reporter plugin jar (the one jar built against Flink 2.2's metric API) sent
 * from inside a real Flink 1.20.5 cluster, with {@code include: all}: they are valid wire format,
 * carry the same task and operator names as on 2.2, the job graph and status from the 1.20 REST
 * API, and the final CANCELED status; what 1.20's JobManager lacks is {@code
 * lastCheckpointCompletedTimestamp}.
 */
class Flink120ReporterSnapshotsTest {

    private static final List<MetricSnapshot> SNAPSHOTS = new ArrayList<>();

    @BeforeAll
    static void parseRecorded() throws Exception {
        SnapshotParser parser =
                new SnapshotParser(
                        SnapshotLimits.defaults(),
                        Clock.fixed(Instant.ofEpochMilli(1_796_612_420_696L), ZoneOffset.UTC));
        for (String line : Recorded.text("flink-1.20.5/reporter-snapshots.jsonl").split("\n", -1)) {
            if (!line.isBlank()) {
                SNAPSHOTS.add(parser.parse(line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(SNAPSHOTS).hasSize(5);
    }

    @Test
    void jobSnapshotsCarryStatusGraphAndIntervalButNoCompletionTimestamp() {
        MetricSnapshot job =
                find(s -> s.scope().level() == ScopeLevel.JOB && !s.metrics().isEmpty());
        assertThat(job.job().id()).isEqualTo(JOB_1_20);
        assertThat(job.job().status()).isEqualTo("RUNNING");
        assertThat(job.job().checkpointIntervalMs()).isEqualTo(2000L);
        assertThat(job.topology().vertices()).hasSize(3);

        Set<String> missing = new HashSet<>(FlinkMetricNames.JOB_METRICS);
        missing.removeAll(job.metrics().keySet());
        // Everything Flinkwatch reads at job level but the completion timestamp (and runningTime,
        // which both lines register only with metrics.job.status.enable: TIME, the default, which
        // this recording had switched to STATE).
        assertThat(missing)
                .contains(FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP)
                .isSubsetOf(
                        FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                        FlinkMetricNames.RUNNING_TIME);
    }

    @Test
    void taskAndOperatorNamesAreThoseFlinkwatchReads() {
        MetricSnapshot sink =
                find(
                        s ->
                                s.scope().level() == ScopeLevel.TASK
                                        && WAREHOUSE_1_20.equals(s.scope().vertexId()));
        assertThat(sink.scope().vertexName()).isEqualTo("warehouse -> warehouse-delivered: Writer");
        for (String name : FlinkMetricNames.TASK_METRICS) {
            assertThat(sink.metrics()).as(name).containsKey(name);
        }
        assertThat(sink.metric(FlinkMetricNames.BUSY_TIME_MS_PER_SECOND)).isGreaterThan(900.0);

        MetricSnapshot source =
                find(
                        s ->
                                s.scope().level() == ScopeLevel.OPERATOR
                                        && SOURCE_1_20.equals(s.scope().operatorId()));
        assertThat(source.metrics())
                .containsKeys(
                        "KafkaSourceReader.KafkaConsumer.records-lag-max",
                        "KafkaSourceReader.KafkaConsumer.records-consumed-rate",
                        "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                        "pendingRecords",
                        // The source's lag in time, which stays fresh under backpressure.
                        FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);
        assertThat(FlinkMetricNames.isMonitored(ScopeLevel.OPERATOR, "currentEmitEventTimeLag"))
                .isTrue();
        assertThat(
                        FlinkMetricNames.isMonitored(
                                ScopeLevel.OPERATOR,
                                "KafkaSourceReader.KafkaConsumer.records-lag-max"))
                .isTrue();
    }

    @Test
    void aCancelledJobGetsItsFinalStatus() {
        MetricSnapshot last = find(s -> "CANCELED".equals(s.job().status()));
        assertThat(last.job().id()).isEqualTo(JOB_1_20);
        assertThat(last.scope().level()).isEqualTo(ScopeLevel.JOB);
        assertThat(last.metrics()).isEmpty();
    }

    private static MetricSnapshot find(Predicate<MetricSnapshot> wanted) {
        return SNAPSHOTS.stream().filter(wanted).findFirst().orElseThrow();
    }
}

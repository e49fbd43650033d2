package io.flinkwatch.job.analytics.operator;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.SampleWindow;
import io.flinkwatch.job.state.OldSavepoints;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;

/**
 * Operator samples kept before the source's lag in time, pending records and consumed offsets were
 * (savepoints before December 2026) restore with those series empty, and fill them from then on.
 */
class OperatorSamplesEvolutionTest {

    @Test
    void operatorSamplesOfAnOldSavepointRestoreAndFillTheNewSeries() throws Exception {
        TypeInformation<SampleWindow> window = TypeInformation.of(SampleWindow.class);
        TypeInformation<OperatorSamples> before =
                Types.POJO(
                        OperatorSamples.class,
                        Map.of(
                                "vertexName", Types.STRING,
                                "subtask", Types.INT,
                                "operatorName", Types.STRING,
                                "lag", window,
                                "commitLag", window,
                                "consumedRate", window,
                                "compactionPending", window,
                                "lagSeconds", window));
        OperatorSamples old = new OperatorSamples();
        old.add(source(10).metric("records-lag-max", 100).build());

        OperatorSamples read =
                OldSavepoints.restoredAndMigrated(before, old, OperatorSamples.class);

        assertThat(read.lag.latest(seconds(10), seconds(60))).isEqualTo(100);
        assertThat(read.emitLag.isEmpty()).isTrue();
        assertThat(read.consumed.isEmpty()).isTrue();
        read.add(
                source(20)
                        .metric("currentEmitEventTimeLag", 2_500)
                        .metric("pendingRecords", 40)
                        .metric("KafkaSourceReader.topic.orders.partition.0.currentOffset", 1_000)
                        .build());
        read.add(
                source(30)
                        .metric("KafkaSourceReader.topic.orders.partition.0.currentOffset", 2_000)
                        .build());
        assertThat(read.emitLag.latest(seconds(30), seconds(60))).isEqualTo(2.5);
        assertThat(read.pending.latest(seconds(30), seconds(60))).isEqualTo(40);
        assertThat(read.consumedPerSecond(seconds(30), seconds(60), seconds(60))).isEqualTo(100);
    }

    private static Snapshots source(long second) {
        return Snapshots.job("orders")
                .operator("Source: orders", 0, 0, "Source: orders")
                .at(seconds(second));
    }
}

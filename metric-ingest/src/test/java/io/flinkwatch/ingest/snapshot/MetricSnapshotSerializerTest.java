package io.flinkwatch.ingest.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class MetricSnapshotSerializerTest {

    private static final long T = 1_767_571_200_000L;

    private static final MetricSnapshot JOB =
            new MetricSnapshot(
                    T,
                    "prod",
                    new JobRef("f00d", "orders", "FAILING", 60_000L, "java.io.IOException: disk"),
                    Scope.job(),
                    Map.of(
                            FlinkMetricNames.UPTIME,
                            0.0,
                            FlinkMetricNames.LAST_CHECKPOINT_SIZE,
                            1.5e9,
                            "someMetricNobodyReads",
                            -3.25),
                    new Topology(
                            List.of(
                                    new Topology.Vertex("a", "Source: orders", 2, List.of()),
                                    new Topology.Vertex("b", "Sink", 1, List.of("a")))));

    private static final MetricSnapshot TASK =
            new MetricSnapshot(
                    T + 15_000,
                    "prod",
                    JobRef.of("f00d", "orders"),
                    Scope.task("a", "Source: orders", 1, 3),
                    Map.of(FlinkMetricNames.BUSY_TIME_MS_PER_SECOND, 912.5),
                    null);

    private static final MetricSnapshot OPERATOR =
            new MetricSnapshot(
                    T,
                    "prod",
                    new JobRef("f00d", "orders", null, 0L),
                    Scope.operator("a", "Source: orders", 0, -1, "op-1", "Source: orders"),
                    Map.of(
                            "KafkaSourceReader.topic.orders.partition.7.currentOffset",
                            42.0,
                            FlinkMetricNames.RECORDS_LAG_MAX,
                            1e6),
                    null,
                    true);

    @Test
    void flinkPicksTheSerializerForTheRecord() {
        TypeSerializer<MetricSnapshot> serializer =
                TypeInformation.of(MetricSnapshot.class)
                        .createSerializer(new SerializerConfigImpl());
        assertThat(serializer).isInstanceOf(MetricSnapshotSerializer.class);
    }

    @Test
    void everyScopeComesBackEqual() throws Exception {
        for (MetricSnapshot snapshot : List.of(JOB, TASK, OPERATOR)) {
            assertThat(roundTrip(snapshot)).isEqualTo(snapshot);
        }
    }

    @Test
    void knownNamesComeBackAsTheCanonicalStrings() throws Exception {
        MetricSnapshot read = roundTrip(TASK);
        String name = read.metrics().keySet().iterator().next();
        assertThat(name).isSameAs(FlinkMetricNames.BUSY_TIME_MS_PER_SECOND);
    }

    @Test
    void knownNamesTakeOneByteAndOthersAreWrittenInFull() throws Exception {
        int known = bytes(OPERATOR.withMetrics(Map.of(FlinkMetricNames.RECORDS_LAG_MAX, 1.0)));
        int unknown = bytes(OPERATOR.withMetrics(Map.of("records-lag-maX", 1.0)));
        // The name's code (0), then the name as modified UTF-8: two bytes of length and its bytes.
        assertThat(unknown - known).isEqualTo(2 + "records-lag-maX".length());
    }

    @Test
    void namesAreAppendOnlyAndFitAByte() {
        assertThat(MetricSnapshotSerializer.KNOWN_NAMES).doesNotHaveDuplicates();
        assertThat(MetricSnapshotSerializer.KNOWN_NAMES.size()).isLessThan(256);
        // The first and last of version 1: a name moved or removed would change the encoding.
        assertThat(MetricSnapshotSerializer.KNOWN_NAMES.get(0)).isEqualTo("uptime");
        assertThat(MetricSnapshotSerializer.KNOWN_NAMES.get(23))
                .isEqualTo("consumer-group-lag-seconds");
    }

    @Test
    void aCopyIsTheImmutableSnapshotItself() {
        assertThat(MetricSnapshotSerializer.INSTANCE.copy(JOB)).isSameAs(JOB);
        assertThat(MetricSnapshotSerializer.INSTANCE.isImmutableType()).isTrue();
    }

    @Test
    void itsSnapshotRestoresACompatibleSerializer() throws Exception {
        TypeSerializerSnapshot<MetricSnapshot> written =
                MetricSnapshotSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, written);
        TypeSerializerSnapshot<MetricSnapshot> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(MetricSnapshotSerializer.INSTANCE);
        assertThat(
                        MetricSnapshotSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(read)
                                .isCompatibleAsIs())
                .isTrue();
    }

    private static MetricSnapshot roundTrip(MetricSnapshot snapshot) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        MetricSnapshotSerializer.INSTANCE.serialize(snapshot, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        MetricSnapshot read = MetricSnapshotSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        return read;
    }

    private static int bytes(MetricSnapshot snapshot) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        MetricSnapshotSerializer.INSTANCE.serialize(snapshot, out);
        return out.length();
    }
}

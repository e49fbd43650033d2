package io.flinkwatch.job.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.state.OldSavepoints;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.NullableMapTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SampleWindowSerializerTest {

    private static SampleWindow windowOf(int samples) {
        SampleWindow window = new SampleWindow();
        for (int i = 1; i <= samples; i++) {
            window.add(i * 15_000L, i);
        }
        return window;
    }

    @Test
    void flinkPicksTheSerializerForWindowsWhereverTheyAreKept() {
        assertThat(
                        TypeInformation.of(SampleWindow.class)
                                .createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(SampleWindowSerializer.class);
        // Inside the job-health state's map of windows, as a field of a POJO.
        assertThat(
                        TypeInformation.of(JobHealthState.class)
                                .createSerializer(new SerializerConfigImpl())
                                .snapshotConfiguration()
                                .toString())
                .doesNotContain("PojoSerializerSnapshot<SampleWindow");
    }

    @Test
    void onlyTheSamplesAreWrittenNotTheRoomToGrow() throws Exception {
        SampleWindow window = windowOf(5);
        assertThat(window.times.length).isGreaterThan(5);

        DataOutputSerializer out = new DataOutputSerializer(128);
        SampleWindowSerializer.INSTANCE.serialize(window, out);

        assertThat(out.length()).isEqualTo(Integer.BYTES + 5 * (Long.BYTES + Double.BYTES));
        SampleWindow read =
                SampleWindowSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.times()).containsExactly(window.times());
        assertThat(read.values()).containsExactly(window.values());
        read.add(90_000, 6);
        assertThat(read.size()).isEqualTo(6);
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        SampleWindow window = windowOf(3);
        SampleWindow copy = SampleWindowSerializer.INSTANCE.copy(window);
        copy.add(60_000, 4);
        copy.evictAtOrBefore(45_000);

        assertThat(window.times()).containsExactly(15_000, 30_000, 45_000);
        assertThat(copy.times()).containsExactly(60_000);
    }

    @Test
    void aWindowKeptAsAPojoBeforeRestoresAndGrows() throws Exception {
        // The format of savepoints taken before this serializer: a POJO of two exact arrays (as
        // TypeInformation.of(SampleWindow.class) was, and the job-health state's field a
        // NullableMap of them).
        TypeSerializer<SampleWindow> pojo = oldPojoSerializer();
        assertThat(pojo).isInstanceOf(PojoSerializer.class);
        SampleWindow old = new SampleWindow(new long[] {10, 20, 30}, new double[] {1, 2, 3}, -1);
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, pojo.snapshotConfiguration());
        pojo.serialize(old, out);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializerSnapshot<SampleWindow> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
        TypeSerializerSchemaCompatibility<SampleWindow> compatibility =
                SampleWindowSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAfterMigration()).isTrue();

        SampleWindow window = restored.restoreSerializer().deserialize(in);
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.latest(25, 60)).isEqualTo(2);
        window.add(40, 4);
        window.add(5, 0.5);
        assertThat(window.times()).containsExactly(5, 10, 20, 30, 40);
        assertThat(window.values()).containsExactly(0.5, 1, 2, 3, 4);
    }

    @Test
    void theJobHealthStateOfAnOldSavepointMigrates() throws Exception {
        TypeInformation<JobHealthState> oldState =
                Types.POJO(
                        JobHealthState.class,
                        Map.of(
                                "cluster", Types.STRING,
                                "jobName", Types.STRING,
                                "jobId", Types.STRING,
                                "newestSample", Types.LONG,
                                "series",
                                        new NullableMapTypeInfo<>(
                                                Types.STRING, oldPojoTypeInfo())));
        JobHealthState state = new JobHealthState();
        state.cluster = "prod";
        state.jobName = "orders";
        state.jobId = "f00d";
        state.newestSample = 30;
        state.series.put(
                "lastCheckpointSize",
                new SampleWindow(new long[] {10, 20, 30}, new double[] {1, 2, 3}, -1));
        JobHealthState after =
                OldSavepoints.restoredAndMigrated(oldState, state, JobHealthState.class);
        assertThat(after.latest("lastCheckpointSize", 30, 60)).isEqualTo(3);
        assertThat(after.series("lastCheckpointSize").times()).containsExactly(10, 20, 30);
    }

    private static TypeInformation<SampleWindow> oldPojoTypeInfo() {
        return Types.POJO(
                SampleWindow.class,
                Map.of(
                        "times", Types.PRIMITIVE_ARRAY(Types.LONG),
                        "values", Types.PRIMITIVE_ARRAY(Types.DOUBLE)));
    }

    private static TypeSerializer<SampleWindow> oldPojoSerializer() {
        return oldPojoTypeInfo().createSerializer(new SerializerConfigImpl());
    }
}

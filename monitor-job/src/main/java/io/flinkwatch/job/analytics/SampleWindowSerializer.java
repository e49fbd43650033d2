package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.types.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keeps a {@link SampleWindow} in state as its samples only (a count, the times, the values), not
 * the room its arrays have to grow.
 *
 * <p>Savepoints taken before it, when Flink kept a window as a POJO of two exactly sized arrays,
 * restore: {@link Snapshot} declares that format compatible after migration, Flink reads it with
 * the POJO serializer restored from the savepoint, and the window takes its arrays as they are.
 */
public final class SampleWindowSerializer extends TypeSerializerSingleton<SampleWindow> {

    private static final long serialVersionUID = 1L;

    public static final SampleWindowSerializer INSTANCE = new SampleWindowSerializer();

    private SampleWindowSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SampleWindow createInstance() {
        return new SampleWindow();
    }

    /**
     * A copy with the original's room to grow: a heap backend copies the windows a checkpoint holds
     * before they change, and the change is usually an added sample.
     */
    @Override
    public SampleWindow copy(SampleWindow from) {
        return new SampleWindow(from.times.clone(), from.values.clone(), from.size());
    }

    @Override
    public SampleWindow copy(SampleWindow from, SampleWindow reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SampleWindow window, DataOutputView out) throws IOException {
        int size = window.size();
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(window.times[i]);
        }
        for (int i = 0; i < size; i++) {
            out.writeDouble(window.values[i]);
        }
    }

    @Override
    public SampleWindow deserialize(DataInputView in) throws IOException {
        int size = in.readInt();
        long[] times = new long[size];
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            times[i] = in.readLong();
        }
        for (int i = 0; i < size; i++) {
            values[i] = in.readDouble();
        }
        return new SampleWindow(times, values, size);
    }

    @Override
    public SampleWindow deserialize(SampleWindow reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int size = source.readInt();
        target.writeInt(size);
        target.write(source, size * (Long.BYTES + Double.BYTES));
    }

    @Override
    public TypeSerializerSnapshot<SampleWindow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above; restores windows kept as POJOs before it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SampleWindow> {

        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<SampleWindow> resolveSchemaCompatibility(
                TypeSerializerSnapshot<SampleWindow> oldSnapshot) {
            if (oldSnapshot instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }

    /** Selects this serializer wherever Flink extracts the type of a {@link SampleWindow}. */
    public static final class Factory extends TypeInfoFactory<SampleWindow> {
        @Override
        public TypeInformation<SampleWindow> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> parameters) {
            return new SerializerTypeInfo<>(SampleWindow.class, INSTANCE);
        }
    }
}

package io.flinkwatch.job.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** State written by an older version of a type, restored as Flink restores a savepoint. */
public final class OldSavepoints {

    private OldSavepoints() {}

    /**
     * Writes {@code value} the way {@code before} (the type as an older version kept it) did, with
     * its serializer snapshot; checks that Flink finds the current type compatible after migration;
     * reads it back with the restored serializer and migrates it (written and read again by the
     * current serializer), as a restore followed by a checkpoint does.
     */
    public static <T> T restoredAndMigrated(TypeInformation<T> before, T value, Class<T> type)
            throws IOException {
        TypeSerializer<T> old = before.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(512);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, old.snapshotConfiguration());
        old.serialize(value, out);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializerSnapshot<T> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        in, OldSavepoints.class.getClassLoader());
        TypeSerializer<T> current =
                TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
        assertThat(
                        current.snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAfterMigration())
                .isTrue();
        T read = restored.restoreSerializer().deserialize(in);
        DataOutputSerializer migrated = new DataOutputSerializer(512);
        current.serialize(read, migrated);
        return current.deserialize(new DataInputDeserializer(migrated.getCopyOfBuffer()));
    }
}

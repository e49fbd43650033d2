package io.flinkwatch.job.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a field is added to a record kept in state (such as {@code ConditionEvaluation}, {@code
 * AlertSignal}, {@code TrackedCondition}) without breaking old savepoints, shown on a record
 * compiled in two versions under one name, as it is before and after an upgrade.
 *
 * <p>Flink keeps records with its POJO serializer and rebuilds them through their canonical
 * constructor. A field that an old savepoint lacks reaches the constructor as null (0 for a
 * primitive): a compact constructor that requires it non-null makes the restore fail, one that
 * gives it a default restores the old state. See docs/deployment.md, "Upgrades".
 */
class RecordStateEvolutionTest {

    private static final String V1 =
            "package evolving; public record Edge(String rule, long timestamp) {"
                    + " public Edge { java.util.Objects.requireNonNull(rule, \"rule\"); } }";

    /** The documented way: the new component gets its default when an old savepoint lacks it. */
    private static final String V2 =
            "package evolving; public record Edge(String rule, long timestamp, String severity) {"
                    + " public Edge { java.util.Objects.requireNonNull(rule, \"rule\");"
                    + " if (severity == null) { severity = \"warning\"; } } }";

    /** The pitfall: the new component is required. */
    private static final String V2_REQUIRED =
            "package evolving; public record Edge(String rule, long timestamp, String severity) {"
                    + " public Edge { java.util.Objects.requireNonNull(rule, \"rule\");"
                    + " java.util.Objects.requireNonNull(severity, \"severity\"); } }";

    @Test
    void aNewComponentWithADefaultRestoresOldState(@TempDir Path dir) throws Exception {
        Object restored = restoreInVersion(dir, V2);

        assertThat(restored.toString())
                .isEqualTo("Edge[rule=FlinkLagGrowing, timestamp=42, severity=warning]");
    }

    @Test
    void aNewComponentThatIsRequiredBreaksTheRestore(@TempDir Path dir) {
        assertThatThrownBy(() -> restoreInVersion(dir, V2_REQUIRED))
                .hasStackTraceContaining("severity");
    }

    /** Writes an Edge of version 1 with its serializer snapshot, and reads both with {@code v2}. */
    private static Object restoreInVersion(Path dir, String v2) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try (URLClassLoader v1Loader = compile(dir.resolve("v1"), V1)) {
            Class<?> edge = v1Loader.loadClass("evolving.Edge");
            TypeSerializer<Object> serializer = serializer(edge);
            assertThat(serializer).isInstanceOf(PojoSerializer.class);
            TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
            serializer.serialize(
                    edge.getConstructors()[0].newInstance("FlinkLagGrowing", 42L), out);
        }
        try (URLClassLoader v2Loader = compile(dir.resolve("v2"), v2)) {
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            TypeSerializerSnapshot<Object> old =
                    TypeSerializerSnapshot.readVersionedSnapshot(in, v2Loader);
            TypeSerializer<Object> current = serializer(v2Loader.loadClass("evolving.Edge"));
            TypeSerializerSchemaCompatibility<Object> compatibility =
                    current.snapshotConfiguration().resolveSchemaCompatibility(old);
            assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
            // Migration reads the old bytes into the new class and writes them anew.
            Object migrated = old.restoreSerializer().deserialize(in);
            DataOutputSerializer rewritten = new DataOutputSerializer(256);
            current.serialize(migrated, rewritten);
            return current.deserialize(new DataInputDeserializer(rewritten.getCopyOfBuffer()));
        }
    }

    @SuppressWarnings("unchecked")
    private static TypeSerializer<Object> serializer(Class<?> type) {
        return (TypeSerializer<Object>)
                TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    }

    private static URLClassLoader compile(Path dir, String source) throws IOException {
        Path file = dir.resolve("evolving/Edge.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status =
                compiler.run(
                        null, null, null, "--release", "17", "-d", dir.toString(), file.toString());
        assertThat(status).as("compiling %s", source).isZero();
        return new URLClassLoader(
                new URL[] {dir.toUri().toURL()}, RecordStateEvolutionTest.class.getClassLoader());
    }
}

package io.flinkwatch.ingest.snapshot;

import io.flinkwatch.ingest.types.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link MetricSnapshot} field by field, for the snapshots that cross the network to the
 * analytics (nearly every snapshot). Flink's generic POJO serializer reflected over the records and
 * wrote every metric name in full; here the names Flinkwatch reads are one byte each, from {@link
 * #KNOWN_NAMES}, and come out as the same canonical strings (their hash codes cached).
 *
 * <p>Snapshots are immutable, so a copy is the snapshot itself. The format is versioned by {@link
 * Snapshot}: {@link #KNOWN_NAMES} may only grow at its end.
 */
public final class MetricSnapshotSerializer extends TypeSerializerSingleton<MetricSnapshot> {

    private static final long serialVersionUID = 1L;

    public static final MetricSnapshotSerializer INSTANCE = new MetricSnapshotSerializer();

    /**
     * Metric names written as their index (1 to 255); append only, since a name's index is its
     * encoding. 0 means that the name follows as a string.
     */
    static final List<String> KNOWN_NAMES =
            List.of(
                    FlinkMetricNames.UPTIME,
                    FlinkMetricNames.RUNNING_TIME,
                    FlinkMetricNames.NUM_RESTARTS,
                    FlinkMetricNames.LAST_CHECKPOINT_DURATION,
                    FlinkMetricNames.LAST_CHECKPOINT_SIZE,
                    FlinkMetricNames.LAST_CHECKPOINT_FULL_SIZE,
                    FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                    FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS,
                    FlinkMetricNames.NUMBER_OF_FAILED_CHECKPOINTS,
                    FlinkMetricNames.NUMBER_OF_IN_PROGRESS_CHECKPOINTS,
                    FlinkMetricNames.TOTAL_NUMBER_OF_CHECKPOINTS,
                    FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND,
                    FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND,
                    FlinkMetricNames.BUSY_TIME_MS_PER_SECOND,
                    FlinkMetricNames.BACK_PRESSURED_TIME_MS_PER_SECOND,
                    FlinkMetricNames.IDLE_TIME_MS_PER_SECOND,
                    FlinkMetricNames.IS_BACK_PRESSURED,
                    FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME,
                    FlinkMetricNames.RECORDS_LAG_MAX,
                    FlinkMetricNames.RECORDS_CONSUMED_RATE,
                    FlinkMetricNames.PENDING_RECORDS,
                    FlinkMetricNames.ROCKSDB_COMPACTION_PENDING,
                    FlinkMetricNames.CONSUMER_GROUP_LAG,
                    FlinkMetricNames.CONSUMER_GROUP_LAG_SECONDS,
                    FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);

    private static final Map<String, Integer> CODES = new HashMap<>();

    static {
        for (int i = 0; i < KNOWN_NAMES.size(); i++) {
            CODES.put(KNOWN_NAMES.get(i), i + 1);
        }
    }

    private static final ScopeLevel[] LEVELS = ScopeLevel.values();

    private static final int EXTERNAL = 1;
    private static final int HAS_TOPOLOGY = 2;
    private static final int HAS_INTERVAL = 4;

    private MetricSnapshotSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public MetricSnapshot createInstance() {
        return null;
    }

    @Override
    public MetricSnapshot copy(MetricSnapshot from) {
        return from;
    }

    @Override
    public MetricSnapshot copy(MetricSnapshot from, MetricSnapshot reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(MetricSnapshot snapshot, DataOutputView out) throws IOException {
        JobRef job = snapshot.job();
        int flags =
                (snapshot.external() ? EXTERNAL : 0)
                        | (snapshot.topology() != null ? HAS_TOPOLOGY : 0)
                        | (job.checkpointIntervalMs() != null ? HAS_INTERVAL : 0);
        out.writeByte(flags);
        out.writeLong(snapshot.timestamp());
        out.writeUTF(snapshot.cluster());
        out.writeUTF(job.id());
        out.writeUTF(job.name());
        writeNullable(job.status(), out);
        writeNullable(job.failureCause(), out);
        if (job.checkpointIntervalMs() != null) {
            out.writeLong(job.checkpointIntervalMs());
        }
        Scope scope = snapshot.scope();
        out.writeByte(scope.level().ordinal());
        if (scope.level() != ScopeLevel.JOB) {
            out.writeUTF(scope.vertexId());
            out.writeUTF(scope.vertexName());
            out.writeInt(scope.subtask());
            out.writeInt(scope.attempt());
            writeNullable(scope.operatorId(), out);
            writeNullable(scope.operatorName(), out);
        }
        out.writeInt(snapshot.metrics().size());
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            Integer code = CODES.get(metric.getKey());
            if (code == null) {
                out.writeByte(0);
                out.writeUTF(metric.getKey());
            } else {
                out.writeByte(code);
            }
            out.writeDouble(metric.getValue());
        }
        if (snapshot.topology() != null) {
            List<Topology.Vertex> vertices = snapshot.topology().vertices();
            out.writeInt(vertices.size());
            for (Topology.Vertex vertex : vertices) {
                out.writeUTF(vertex.id());
                out.writeUTF(vertex.name());
                out.writeInt(vertex.parallelism());
                out.writeInt(vertex.inputs().size());
                for (String input : vertex.inputs()) {
                    out.writeUTF(input);
                }
            }
        }
    }

    @Override
    public MetricSnapshot deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        long timestamp = in.readLong();
        String cluster = in.readUTF();
        String id = in.readUTF();
        String name = in.readUTF();
        String status = readNullable(in);
        String failureCause = readNullable(in);
        Long interval = (flags & HAS_INTERVAL) != 0 ? in.readLong() : null;
        JobRef job = new JobRef(id, name, status, interval, failureCause);
        ScopeLevel level = LEVELS[in.readUnsignedByte()];
        Scope scope =
                level == ScopeLevel.JOB
                        ? Scope.job()
                        : new Scope(
                                level,
                                in.readUTF(),
                                in.readUTF(),
                                in.readInt(),
                                in.readInt(),
                                readNullable(in),
                                readNullable(in));
        int count = in.readInt();
        Map<String, Double> metrics = new HashMap<>(Math.max(4, count * 4 / 3 + 1));
        for (int i = 0; i < count; i++) {
            int code = in.readUnsignedByte();
            String metric = code == 0 ? in.readUTF() : KNOWN_NAMES.get(code - 1);
            metrics.put(metric, in.readDouble());
        }
        Topology topology = null;
        if ((flags & HAS_TOPOLOGY) != 0) {
            int size = in.readInt();
            List<Topology.Vertex> vertices = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                String vertexId = in.readUTF();
                String vertexName = in.readUTF();
                int parallelism = in.readInt();
                int inputCount = in.readInt();
                List<String> inputs = new ArrayList<>(inputCount);
                for (int j = 0; j < inputCount; j++) {
                    inputs.add(in.readUTF());
                }
                vertices.add(new Topology.Vertex(vertexId, vertexName, parallelism, inputs));
            }
            topology = new Topology(vertices);
        }
        return new MetricSnapshot(
                timestamp, cluster, job, scope, metrics, topology, (flags & EXTERNAL) != 0);
    }

    private static void writeNullable(String value, DataOutputView out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @Override
    public MetricSnapshot deserialize(MetricSnapshot reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<MetricSnapshot> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MetricSnapshot> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Selects this serializer wherever Flink extracts the type of a {@link MetricSnapshot}. */
    public static final class Factory extends TypeInfoFactory<MetricSnapshot> {
        @Override
        public TypeInformation<MetricSnapshot> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> parameters) {
            return new SerializerTypeInfo<>(MetricSnapshot.class, INSTANCE);
        }
    }
}

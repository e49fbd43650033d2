package io.flinkwatch.ingest.snapshot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes snapshots in the JSON wire format that {@link SnapshotParser} reads. Publishers and the
 * scenario generator use it. Thread-safe.
 */
public final class SnapshotWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private SnapshotWriter() {}

    public static byte[] toJson(MetricSnapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 48 * snapshot.metrics().size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(snapshot, json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a snapshot to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void write(MetricSnapshot snapshot, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeNumberField("version", SnapshotParser.VERSION);
        json.writeNumberField("timestamp", snapshot.timestamp());
        json.writeStringField("cluster", snapshot.cluster());

        JobRef job = snapshot.job();
        json.writeObjectFieldStart("job");
        json.writeStringField("id", job.id());
        json.writeStringField("name", job.name());
        if (job.status() != null) {
            json.writeStringField("status", job.status());
        }
        if (job.checkpointIntervalMs() != null) {
            json.writeNumberField("checkpointIntervalMs", job.checkpointIntervalMs());
        }
        if (job.failureCause() != null) {
            json.writeStringField("failureCause", job.failureCause());
        }
        json.writeEndObject();

        Scope scope = snapshot.scope();
        json.writeObjectFieldStart("scope");
        json.writeStringField("level", scope.level().wireName());
        if (scope.level() != ScopeLevel.JOB) {
            json.writeStringField("vertexId", scope.vertexId());
            json.writeStringField("vertexName", scope.vertexName());
            json.writeNumberField("subtask", scope.subtask());
            if (scope.attempt() >= 0) {
                json.writeNumberField("attempt", scope.attempt());
            }
        }
        if (scope.level() == ScopeLevel.OPERATOR) {
            json.writeStringField("operatorId", scope.operatorId());
            json.writeStringField("operatorName", scope.operatorName());
        }
        json.writeEndObject();

        json.writeObjectFieldStart("metrics");
        for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
            writeNumber(json, metric.getKey(), metric.getValue());
        }
        json.writeEndObject();

        if (snapshot.topology() != null) {
            json.writeObjectFieldStart("topology");
            json.writeArrayFieldStart("vertices");
            for (Topology.Vertex vertex : snapshot.topology().vertices()) {
                json.writeStartObject();
                json.writeStringField("id", vertex.id());
                json.writeStringField("name", vertex.name());
                json.writeNumberField("parallelism", vertex.parallelism());
                json.writeArrayFieldStart("inputs");
                for (String input : vertex.inputs()) {
                    json.writeString(input);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        if (snapshot.external()) {
            json.writeBooleanField("external", true);
        }
        json.writeEndObject();
    }

    /** Whole numbers are written without a fraction, so counters and timestamps read naturally. */
    static void writeNumber(JsonGenerator json, String name, double value) throws IOException {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.writeNumberField(name, (long) value);
        } else {
            json.writeNumberField(name, value);
        }
    }
}

package io.flinkwatch.ingest.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/snapshot.schema.json, the documented examples, the writer and the parser agree. */
class SnapshotSchemaTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonSchema schema = schema();
    private final SnapshotParser parser =
            new SnapshotParser(
                    SnapshotLimits.defaults(),
                    Clock.fixed(Instant.parse("2026-01-05T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void everyExampleIsValidByTheSchemaAndByTheParser() throws Exception {
        int examples = 0;
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(DOCS.resolve("examples"), "snapshot-*.json")) {
            for (Path file : files) {
                byte[] bytes = Files.readAllBytes(file);
                assertThat(schema.validate(MAPPER.readTree(bytes))).as(file.toString()).isEmpty();
                parser.parse(bytes);
                examples++;
            }
        }
        assertThat(examples).isEqualTo(3);
    }

    @Test
    void whatTheWriterWritesIsValidByTheSchema() throws Exception {
        Topology topology = new Topology(List.of(new Topology.Vertex("a", "A", 1, List.of())));
        List<MetricSnapshot> snapshots =
                List.of(
                        new MetricSnapshot(
                                1767571200000L,
                                "c",
                                new JobRef("i", "n", "RUNNING", 1000L),
                                Scope.job(),
                                Map.of("uptime", 1.5),
                                topology),
                        new MetricSnapshot(
                                1767571200000L,
                                "c",
                                JobRef.of("i", "n"),
                                Scope.task("a", "A", 0, -1),
                                Map.of(),
                                null),
                        new MetricSnapshot(
                                1767571200000L,
                                "c",
                                JobRef.of("i", "n"),
                                Scope.operator("a", "A", 0, 2, "o", "O"),
                                Map.of("x", 1.0),
                                null));
        for (MetricSnapshot snapshot : snapshots) {
            assertThat(schema.validate(MAPPER.readTree(SnapshotWriter.toJson(snapshot)))).isEmpty();
        }
    }

    @Test
    void theSchemaRejectsWhatTheParserRejects() throws Exception {
        String missingSubtask =
                "{\"version\":1,\"timestamp\":1767571200000,\"cluster\":\"c\",\"job\":{\"id\":\"i\",\"name\":\"n\"},"
                        + "\"scope\":{\"level\":\"task\",\"vertexId\":\"v\",\"vertexName\":\"V\"},\"metrics\":{}}";
        String textMetric =
                "{\"version\":1,\"timestamp\":1767571200000,\"cluster\":\"c\",\"job\":{\"id\":\"i\",\"name\":\"n\"},"
                        + "\"scope\":{\"level\":\"job\"},\"metrics\":{\"uptime\":\"1\"}}";
        assertThat(schema.validate(MAPPER.readTree(missingSubtask))).isNotEmpty();
        assertThat(schema.validate(MAPPER.readTree(textMetric))).isNotEmpty();
    }

    private static JsonSchema schema() {
        try (InputStream in = Files.newInputStream(DOCS.resolve("snapshot.schema.json"))) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

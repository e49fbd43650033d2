package io.flinkwatch.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SnapshotDeserializationSchemaTest {

    private final SnapshotDeserializationSchema schema =
            new SnapshotDeserializationSchema(SnapshotParser.withDefaults());

    @Test
    void aValidRecordBecomesASnapshotThatRemembersWhereItCameFrom() {
        MetricSnapshot snapshot =
                new MetricSnapshot(
                        Instant.parse("2026-01-05T00:00:00Z").toEpochMilli(),
                        "c",
                        JobRef.of("i", "n"),
                        Scope.job(),
                        Map.of("uptime", 1.0),
                        null);
        byte[] bytes = SnapshotWriter.toJson(snapshot);

        IngestedRecord record = only(new ConsumerRecord<>("metrics", 2, 17L, null, bytes));

        assertThat(record.snapshot()).isEqualTo(snapshot);
        assertThat(record.deadLetter()).isNull();
        assertThat(record.origin().partition()).isEqualTo(2);
        assertThat(record.origin().offset()).isEqualTo(17L);
    }

    @Test
    void anInvalidRecordBecomesADeadLetterInsteadOfAnException() {
        byte[] bytes = "garbage".getBytes(StandardCharsets.UTF_8);

        IngestedRecord record = only(new ConsumerRecord<>("metrics", 1, 5L, null, bytes));

        assertThat(record.isAccepted()).isFalse();
        assertThat(record.deadLetter().reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(record.deadLetter().topic()).isEqualTo("metrics");
        assertThat(record.deadLetter().offset()).isEqualTo(5L);
        assertThat(record.deadLetter().raw()).isEqualTo(bytes);
    }

    @Test
    void aTombstoneBecomesADeadLetter() {
        IngestedRecord record = only(new ConsumerRecord<>("metrics", 0, 9L, null, null));

        assertThat(record.deadLetter().reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(record.deadLetter().rawSize()).isZero();
    }

    private IngestedRecord only(ConsumerRecord<byte[], byte[]> consumerRecord) {
        List<IngestedRecord> out = new ArrayList<>();
        schema.deserialize(
                consumerRecord,
                new Collector<>() {
                    @Override
                    public void collect(IngestedRecord record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}

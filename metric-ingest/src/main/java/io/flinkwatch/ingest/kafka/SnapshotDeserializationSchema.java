package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into exactly one {@link IngestedRecord}: a parsed snapshot, or a dead
 * letter that says why the record could not be read. It never throws on bad input, so a poison
 * record cannot stop the source.
 */
public final class SnapshotDeserializationSchema
        implements KafkaRecordDeserializationSchema<IngestedRecord> {

    private static final long serialVersionUID = 1L;

    private final SnapshotParser parser;

    public SnapshotDeserializationSchema(SnapshotParser parser) {
        this.parser = parser;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestedRecord> out) {
        out.collect(ingest(record));
    }

    IngestedRecord ingest(ConsumerRecord<byte[], byte[]> record) {
        try {
            MetricSnapshot snapshot = parser.parse(record.value());
            return IngestedRecord.accepted(
                    snapshot,
                    new IngestedRecord.Origin(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.value()));
        } catch (InvalidSnapshotException e) {
            return IngestedRecord.rejected(
                    DeadLetter.of(
                            e.reason(),
                            e.getMessage(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.value()));
        }
    }

    @Override
    public TypeInformation<IngestedRecord> getProducedType() {
        return TypeInformation.of(IngestedRecord.class);
    }
}

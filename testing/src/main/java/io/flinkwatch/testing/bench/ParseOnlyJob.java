package io.flinkwatch.testing.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark's yardstick: a job that reads the metrics topic and parses every record with
 * Jackson, then throws it away. It is as fast as reading and parsing snapshots gets on the machine.
 */
final class ParseOnlyJob {

    private ParseOnlyJob() {}

    static void build(StreamExecutionEnvironment env, String bootstrapServers, String topic) {
        KafkaSource<byte[]> source =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topic)
                        .setGroupId("parse-only-" + topic)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                KafkaRecordDeserializationSchema.valueOnly(
                                        ByteArrayDeserializer.class))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "raw snapshots")
                .uid("raw-snapshots")
                .map(new Parse())
                .returns(Types.INT)
                .uid("parse")
                .name("parse JSON")
                .sinkTo(new DiscardingSink<>())
                .uid("discard")
                .name("discard");
    }

    /**
     * Parses a snapshot into a tree and returns its number of metrics, so nothing is optimised
     * away.
     */
    private static final class Parse extends RichMapFunction<byte[], Integer> {
        private static final long serialVersionUID = 1L;
        private transient ObjectMapper mapper;

        @Override
        public Integer map(byte[] value) throws Exception {
            if (mapper == null) {
                mapper = new ObjectMapper();
            }
            JsonNode metrics = mapper.readTree(value).path("metrics");
            return metrics.size();
        }
    }
}

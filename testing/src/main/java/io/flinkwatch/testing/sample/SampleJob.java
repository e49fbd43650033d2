package io.flinkwatch.testing.sample;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * A real job to watch: Kafka source → keyed map (counts records per key in keyed state) → a sink
 * whose speed can be limited while the job runs ({@link ThrottledSink}). The sink is not chained to
 * the map, so a slow sink shows as its own vertex: busy, with the map and the source backpressured
 * upstream of it — what FlinkHighBackpressure must name.
 *
 * <p>Parameters: {@code --bootstrap-servers}, {@code --input-topic}, {@code --group-id}, {@code
 * --throttle-file} (optional), {@code --checkpoint-interval-ms} (default 5000).
 */
public final class SampleJob {

    public static final String JOB_NAME = "sample-orders";
    public static final String SOURCE_NAME = "orders";
    public static final String MAP_NAME = "enrich";
    public static final String SINK_NAME = "warehouse";

    private SampleJob() {}

    public static void main(String[] args) throws Exception {
        ParameterTool parameters = ParameterTool.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(
                env,
                parameters.getRequired("bootstrap-servers"),
                parameters.getRequired("input-topic"),
                parameters.get("group-id", JOB_NAME),
                parameters.get("throttle-file"),
                Duration.ofMillis(parameters.getLong("checkpoint-interval-ms", 5_000)));
        env.execute(JOB_NAME);
    }

    /** Adds the sample dataflow to {@code env}. */
    public static void build(
            StreamExecutionEnvironment env,
            String bootstrapServers,
            String inputTopic,
            String groupId,
            String throttleFile,
            Duration checkpointInterval) {
        env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(inputTopic)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), SOURCE_NAME)
                .uid("orders-source")
                .keyBy(SampleJob::customer, Types.STRING)
                .map(new Enrich())
                .uid("enrich")
                .name(MAP_NAME)
                .sinkTo(new ThrottledSink(throttleFile))
                .uid("warehouse-sink")
                .name(SINK_NAME)
                .disableChaining();
    }

    /** Records are {@code customer,amount}. */
    static String customer(String record) {
        int comma = record.indexOf(',');
        return comma < 0 ? record : record.substring(0, comma);
    }

    /** Appends the number of records seen so far for the record's customer. */
    static final class Enrich extends RichMapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> seen;

        @Override
        public void open(OpenContext openContext) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.LONG));
        }

        @Override
        public String map(String record) throws Exception {
            long count = seen.value() == null ? 1 : seen.value() + 1;
            seen.update(count);
            return record + "," + count;
        }
    }
}

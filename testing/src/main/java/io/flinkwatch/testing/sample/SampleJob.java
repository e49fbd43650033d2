package io.flinkwatch.testing.sample;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * A real job to watch: Kafka source → keyed map (counts records per key in keyed state) → a sink
 * whose speed can be limited while the job runs ({@link ThrottledSink}). The sink is not chained to
 * the map, so a slow sink shows as its own vertex: busy, with the map and the source backpressured
 * upstream of it — what FlinkHighBackpressure must name.
 *
 * <p>Parameters: {@code --bootstrap-servers}, {@code --input-topic}, {@code --group-id}, {@code
 * --throttle-file} (optional), {@code --checkpoint-interval-ms} (default 5000), {@code --job-name}
 * (default {@value #JOB_NAME}).
 *
 * <p>The same source files are compiled against Flink 2.2 (module {@code testing}) and Flink 1.20
 * (module {@code testing/sample-job-1.20}): they use only API both lines have.
 */
public final class SampleJob {

    public static final String JOB_NAME = "sample-orders";
    public static final String SOURCE_NAME = "orders";
    public static final String MAP_NAME = "enrich";
    public static final String SINK_NAME = "warehouse";

    private SampleJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> parameters = parse(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(
                env,
                required(parameters, "bootstrap-servers"),
                required(parameters, "input-topic"),
                parameters.getOrDefault("group-id", JOB_NAME),
                parameters.get("throttle-file"),
                Duration.ofMillis(
                        Long.parseLong(parameters.getOrDefault("checkpoint-interval-ms", "5000"))));
        env.execute(parameters.getOrDefault("job-name", JOB_NAME));
    }

    /**
     * {@code --key value} pairs. Not Flink's ParameterTool: it moved packages between 1.20 ({@code
     * org.apache.flink.api.java.utils}) and 2.x ({@code org.apache.flink.util}).
     */
    static Map<String, String> parse(String[] args) {
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key, got " + args[i]);
            }
            String key = args[i].substring(2);
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            parameters.put(key, hasValue ? args[++i] : "");
        }
        return parameters;
    }

    private static String required(Map<String, String> parameters, String key) {
        String value = parameters.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
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
        ThrottledSink.addTo(
                env.fromSource(source, WatermarkStrategy.noWatermarks(), SOURCE_NAME)
                        .uid("orders-source")
                        .keyBy(SampleJob::customer, Types.STRING)
                        .map(new Enrich())
                        .uid("enrich")
                        .name(MAP_NAME),
                throttleFile,
                SINK_NAME);
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

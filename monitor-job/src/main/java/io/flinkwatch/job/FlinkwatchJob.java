package io.flinkwatch.job;

import static io.flinkwatch.job.config.FlinkwatchParameters.ALERTS_TOPIC;
import static io.flinkwatch.job.config.FlinkwatchParameters.BOOTSTRAP_SERVERS;
import static io.flinkwatch.job.config.FlinkwatchParameters.BOUNDED;
import static io.flinkwatch.job.config.FlinkwatchParameters.CHECKPOINT_INTERVAL;
import static io.flinkwatch.job.config.FlinkwatchParameters.DEAD_LETTER_TOPIC;
import static io.flinkwatch.job.config.FlinkwatchParameters.DELIVERY_GUARANTEE;
import static io.flinkwatch.job.config.FlinkwatchParameters.GROUP_ID;
import static io.flinkwatch.job.config.FlinkwatchParameters.KAFKA_PREFLIGHT_TIMEOUT;
import static io.flinkwatch.job.config.FlinkwatchParameters.MAX_CLOCK_SKEW;
import static io.flinkwatch.job.config.FlinkwatchParameters.MAX_FUTURE_SKEW;
import static io.flinkwatch.job.config.FlinkwatchParameters.MAX_PARALLELISM;
import static io.flinkwatch.job.config.FlinkwatchParameters.MAX_SNAPSHOT_BYTES;
import static io.flinkwatch.job.config.FlinkwatchParameters.METRICS_TOPICS;
import static io.flinkwatch.job.config.FlinkwatchParameters.OUT_OF_ORDERNESS;
import static io.flinkwatch.job.config.FlinkwatchParameters.PARALLELISM;
import static io.flinkwatch.job.config.FlinkwatchParameters.SILENT_JOB_HOLD;
import static io.flinkwatch.job.config.FlinkwatchParameters.STARTING_OFFSETS;
import static io.flinkwatch.job.config.FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX;
import static io.flinkwatch.job.config.FlinkwatchParameters.TRANSACTION_TIMEOUT;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.kafka.AlertEventSerializationSchema;
import io.flinkwatch.alerts.kafka.KafkaDelivery;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterSerializationSchema;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.kafka.KafkaPreflight;
import io.flinkwatch.ingest.kafka.MetricSnapshotSource;
import io.flinkwatch.ingest.kafka.SnapshotDeserializationSchema;
import io.flinkwatch.ingest.kafka.TopicTail;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.InvalidParameterException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flinkwatch job: reads metric snapshots from Kafka, writes alerts and dead letters to Kafka.
 * Configured only by job parameters ({@code --name value}, see README.md); invalid ones stop the
 * job before it starts, with a message that names the parameter, the value and what is allowed.
 */
public final class FlinkwatchJob {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkwatchJob.class);

    /** Records read from the end of each partition to find where a replay's event time ends. */
    private static final int REPLAY_TAIL_RECORDS = 1_000;

    private FlinkwatchJob() {}

    public static void main(String[] args) throws Exception {
        FlinkwatchConfig config;
        try {
            config = FlinkwatchConfig.fromArgs(args);
        } catch (InvalidParameterException e) {
            LOG.error(e.getMessage());
            throw e;
        }
        LOG.info("Starting Flinkwatch with parameters {}", config.shownGiven());
        checkKafka(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assemble(env, config);
        env.execute("Flinkwatch");
    }

    /**
     * Configures {@code env} and builds the whole dataflow on it, with its Kafka source and sinks:
     * what the job runs, for the tools (backtest, demo, benchmark) and tests that run it too.
     */
    public static void assemble(StreamExecutionEnvironment env, FlinkwatchConfig config) {
        configure(env, config);
        pipeline(config).build(env, kafkaSource(config), alertSink(config), deadLetterSink(config));
    }

    /**
     * Tries the job's Kafka settings once (see {@link KafkaPreflight}): wrong credentials or an
     * untrusted certificate stop the job here, with the cause, instead of in a restart loop.
     */
    public static void checkKafka(FlinkwatchConfig config) {
        if (config.get(KAFKA_PREFLIGHT_TIMEOUT).isZero()) {
            return;
        }
        List<String> topics = new ArrayList<>(config.get(METRICS_TOPICS));
        topics.add(config.get(ALERTS_TOPIC));
        topics.add(config.get(DEAD_LETTER_TOPIC));
        KafkaPreflight.check(
                config.get(BOOTSTRAP_SERVERS),
                config.kafkaClientProperties().properties(),
                topics,
                config.get(KAFKA_PREFLIGHT_TIMEOUT));
    }

    /**
     * Runtime settings the pipeline relies on: checkpointing, object reuse, no Kryo, explicit uids.
     */
    public static void configure(StreamExecutionEnvironment env, FlinkwatchConfig config) {
        Configuration settings = new Configuration();
        // Records are immutable, so chained operators may share them instead of copying.
        settings.set(PipelineOptions.OBJECT_REUSE, true);
        // Every type has a Flink serializer; falling back to Kryo would be a bug to catch at start.
        settings.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(settings);
        env.getConfig().disableAutoGeneratedUIDs();
        env.enableCheckpointing(
                config.get(CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Explicit, so that rescaling a savepoint never depends on the parallelism it was taken at.
        env.setMaxParallelism(config.get(MAX_PARALLELISM));
        int parallelism = config.get(PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
    }

    /**
     * The pipeline for these parameters. A bounded run (a replay) reads the tail of the metrics
     * topics first to learn where its event time ends.
     */
    public static FlinkwatchPipeline pipeline(FlinkwatchConfig config) {
        FlinkwatchPipeline pipeline = new FlinkwatchPipeline(config);
        if (config.get(BOUNDED)) {
            OptionalLong end =
                    TopicTail.newestTimestamp(
                            config.get(BOOTSTRAP_SERVERS),
                            config.get(METRICS_TOPICS),
                            parser(config),
                            config.kafkaClientProperties().properties(),
                            REPLAY_TAIL_RECORDS);
            LOG.info(
                    "Replaying up to the newest snapshot, taken at {}",
                    end.isPresent() ? java.time.Instant.ofEpochMilli(end.getAsLong()) : "(none)");
            pipeline.replayEndingAt(end.orElse(Long.MIN_VALUE));
        }
        return pipeline;
    }

    private static SnapshotParser parser(FlinkwatchConfig config) {
        return new SnapshotParser(
                new SnapshotLimits(config.get(MAX_SNAPSHOT_BYTES), config.get(MAX_FUTURE_SKEW)),
                Clock.systemUTC());
    }

    public static Source<IngestedRecord, ?, ?> kafkaSource(FlinkwatchConfig config) {
        return MetricSnapshotSource.create(
                config.get(BOOTSTRAP_SERVERS),
                config.get(METRICS_TOPICS),
                config.get(GROUP_ID),
                config.get(STARTING_OFFSETS),
                config.get(BOUNDED),
                parser(config),
                new SnapshotDeserializationSchema.ClockSettings(
                        config.get(OUT_OF_ORDERNESS),
                        config.get(MAX_CLOCK_SKEW),
                        config.get(SILENT_JOB_HOLD)),
                config.kafkaClientProperties().properties());
    }

    public static KafkaDelivery delivery(FlinkwatchConfig config) {
        return new KafkaDelivery(
                config.get(BOOTSTRAP_SERVERS),
                config.get(DELIVERY_GUARANTEE).guarantee(),
                config.get(TRANSACTIONAL_ID_PREFIX),
                config.get(TRANSACTION_TIMEOUT),
                config.kafkaClientProperties().properties());
    }

    public static Sink<AlertEvent> alertSink(FlinkwatchConfig config) {
        return delivery(config)
                .sink(new AlertEventSerializationSchema(config.get(ALERTS_TOPIC)), "alerts");
    }

    public static Sink<DeadLetter> deadLetterSink(FlinkwatchConfig config) {
        return delivery(config)
                .sink(
                        new DeadLetterSerializationSchema(config.get(DEAD_LETTER_TOPIC)),
                        "dead-letters");
    }
}

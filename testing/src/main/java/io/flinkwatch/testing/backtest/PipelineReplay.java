package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a recording through the real Flinkwatch pipeline. The recording is published once to a
 * topic of an in-process Kafka broker (loopback, free port), keyed by cluster and job as publishers
 * key it; each {@link #run} then executes {@link FlinkwatchJob}'s own dataflow bounded ({@code
 * --kafka.bounded true}) on a local Flink MiniCluster, Kafka source and exactly-once alerts sink
 * included, and reads back every alert event it committed.
 *
 * <p>Why a broker and not a collection source: the job's source, watermarks per partition,
 * dead-letter routing and transactional sink are part of what it does; only with them is the
 * backtest the job.
 */
public final class PipelineReplay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineReplay.class);

    /**
     * Parameters that say where the job reads and writes, or whom it notifies: the replay sets or
     * drops them, so that a production parameter list can be given as it is. None changes what is
     * detected.
     */
    private static final Set<String> PLUMBING =
            Set.of(
                    FlinkwatchParameters.BOOTSTRAP_SERVERS.name(),
                    FlinkwatchParameters.METRICS_TOPICS.name(),
                    FlinkwatchParameters.ALERTS_TOPIC.name(),
                    FlinkwatchParameters.DEAD_LETTER_TOPIC.name(),
                    FlinkwatchParameters.GROUP_ID.name(),
                    FlinkwatchParameters.STARTING_OFFSETS.name(),
                    FlinkwatchParameters.BOUNDED.name(),
                    FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX.name(),
                    FlinkwatchParameters.KAFKA_PROPERTIES_FILE.name(),
                    FlinkwatchParameters.KAFKA_PREFLIGHT_TIMEOUT.name());

    private final EmbeddedKafka kafka;
    private final String metricsTopic;
    private final RecordingStats stats;
    private final Path checkpoints;

    private PipelineReplay(
            EmbeddedKafka kafka, String metricsTopic, RecordingStats stats, Path checkpoints) {
        this.kafka = kafka;
        this.metricsTopic = metricsTopic;
        this.stats = stats;
        this.checkpoints = checkpoints;
    }

    /** What the recording holds. */
    public record RecordingStats(long records, long validSnapshots, long oldest, long newest) {}

    /** What one run of the pipeline published. */
    public record Result(
            FlinkwatchConfig config,
            Map<String, String> parameters,
            List<AlertEvent> events,
            long deadLetters,
            Duration took) {}

    /**
     * Starts a broker and publishes {@code recording} to a topic with {@code partitions}
     * partitions.
     */
    public static PipelineReplay load(Recording recording, int partitions, SnapshotParser parser)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            String topic = "recording";
            kafka.createTopics(partitions, topic);
            long[] counts = new long[2];
            long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
            Map<String, Integer> partitionOfJob = new HashMap<>();
            long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                recording.forEachLine(
                        line -> {
                            byte[] key = null;
                            int partition = 0;
                            try {
                                MetricSnapshot snapshot = parser.parse(line);
                                String job = snapshot.cluster() + "/" + snapshot.job().name();
                                key = job.getBytes(StandardCharsets.UTF_8);
                                // One job's snapshots in one partition, in order, as publishers
                                // key them; jobs dealt out in turn, so that every partition
                                // carries data and none holds event time back as idle.
                                partition =
                                        partitionOfJob.computeIfAbsent(
                                                job, k -> partitionOfJob.size() % partitions);
                                counts[1]++;
                                span[0] = Math.min(span[0], snapshot.timestamp());
                                span[1] = Math.max(span[1], snapshot.timestamp());
                            } catch (InvalidSnapshotException e) {
                                // Published all the same: the job dead-letters it, as it would.
                            }
                            producer.send(new ProducerRecord<>(topic, partition, key, line));
                            if (++counts[0] % 200_000 == 0) {
                                LOG.info("Published {} records of the recording", counts[0]);
                            }
                        });
                producer.flush();
            }
            LOG.info(
                    "Published {} records ({} valid snapshots) of {} to a local broker in {} s",
                    counts[0],
                    counts[1],
                    recording.file(),
                    (System.nanoTime() - started) / 1_000_000_000);
            return new PipelineReplay(
                    kafka,
                    topic,
                    new RecordingStats(counts[0], counts[1], span[0], span[1]),
                    Files.createTempDirectory("flinkwatch-backtest-checkpoints-"));
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    /**
     * A producer for bulk loading: large batches, lz4-compressed, so that the broker's copy of a
     * large recording takes a fraction of its JSON size on disk.
     */
    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        props.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        props.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public RecordingStats stats() {
        return stats;
    }

    /**
     * Runs the pipeline over the whole recording with {@code parameters} (job parameter names
     * without {@code --}) and returns what it published.
     */
    public Result run(Map<String, String> parameters, String label) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String alertsTopic = "alerts-" + id;
        String deadLetterTopic = "dead-letters-" + id;
        kafka.createTopics(1, alertsTopic, deadLetterTopic);
        Map<String, String> given = used(parameters);
        Set<String> ignored = new TreeSet<>();
        parameters.keySet().stream()
                .filter(name -> !given.containsKey(name))
                .forEach(name -> ignored.add("--" + name));
        if (!ignored.isEmpty()) {
            LOG.info(
                    "{}: not used by the replay (it reads and writes its own local topics and"
                            + " notifies nobody): {}",
                    label,
                    ignored);
        }
        Map<String, String> effective = new LinkedHashMap<>(given);
        effective.put(FlinkwatchParameters.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        effective.put(FlinkwatchParameters.METRICS_TOPICS.name(), metricsTopic);
        effective.put(FlinkwatchParameters.ALERTS_TOPIC.name(), alertsTopic);
        effective.put(FlinkwatchParameters.DEAD_LETTER_TOPIC.name(), deadLetterTopic);
        effective.put(FlinkwatchParameters.GROUP_ID.name(), "backtest-" + id);
        effective.put(FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX.name(), "backtest-" + id);
        effective.put(FlinkwatchParameters.STARTING_OFFSETS.name(), "earliest");
        effective.put(FlinkwatchParameters.BOUNDED.name(), "true");
        FlinkwatchConfig config = FlinkwatchConfig.fromMap(effective);

        Configuration local = new Configuration();
        // A local MiniCluster: its web endpoint on loopback and a free port.
        local.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        local.set(RestOptions.ADDRESS, "127.0.0.1");
        local.set(RestOptions.BIND_PORT, "0");
        // What a cluster would provide (README: give it a durable checkpoint storage): without it
        // checkpoints go to the JobManager's memory, which refuses state over 5 MB, a few hundred
        // monitored jobs' worth.
        local.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpoints.resolve(id).toUri().toString());
        // A replay has nothing transient to recover from: a failure ends the backtest with its
        // cause instead of a restart loop.
        local.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(local);
        FlinkwatchJob.assemble(env, config);
        long started = System.nanoTime();
        LOG.info("{}: running the Flinkwatch pipeline over {} records", label, stats.records());
        JobClient job = env.executeAsync("Flinkwatch backtest (" + label + ")");
        CompletableFuture<?> done = job.getJobExecutionResult();
        while (true) {
            try {
                done.get(10, TimeUnit.SECONDS);
                break;
            } catch (TimeoutException e) {
                LOG.info(
                        "{}: {} % of the recording read after {} s",
                        label,
                        percentRead(config.get(FlinkwatchParameters.GROUP_ID)),
                        (System.nanoTime() - started) / 1_000_000_000);
            }
        }
        List<AlertEvent> events = new ArrayList<>();
        for (byte[] value : readCommitted(alertsTopic)) {
            try {
                events.add(AlertJson.fromJson(value));
            } catch (IOException e) {
                throw new UncheckedIOException("the pipeline wrote an unreadable alert event", e);
            }
        }
        long deadLetters = readCommitted(deadLetterTopic).size();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info(
                "{}: {} alert events, {} dead letters, in {} s",
                label,
                events.size(),
                deadLetters,
                took.toSeconds());
        return new Result(config, given, events, deadLetters, took);
    }

    /**
     * The parameters a replay uses: all but those that say where the job reads and writes or whom
     * it notifies.
     */
    public static Map<String, String> used(Map<String, String> parameters) {
        Map<String, String> used = new LinkedHashMap<>();
        parameters.forEach(
                (name, value) -> {
                    if (!PLUMBING.contains(name)
                            && !name.startsWith(FlinkwatchParameters.KAFKA_PROPERTIES_PREFIX)
                            && !name.startsWith("alertmanager.")) {
                        used.put(name, value);
                    }
                });
        return used;
    }

    /** The share of the recording the job has committed offsets for (at its checkpoints). */
    private long percentRead(String group) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            long read = 0;
            long total = 0;
            for (Map.Entry<Integer, Long> end : kafka.endOffsets(metricsTopic).entrySet()) {
                total += end.getValue();
                OffsetAndMetadata offset =
                        committed.get(new TopicPartition(metricsTopic, end.getKey()));
                read += offset == null ? 0 : offset.offset();
            }
            return total == 0 ? 100 : read * 100 / total;
        } catch (Exception e) {
            LOG.debug("Could not read the replay's progress", e);
            return 0;
        }
    }

    /** Every committed record of a topic, up to its end now (the job has finished). */
    private List<byte[]> readCommitted(String topic) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                kafka.committedReader("backtest-reader-" + UUID.randomUUID())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end is the last stable offset, all transactions being complete.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read topic " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            LocalProcesses.deleteRecursively(checkpoints);
        }
    }
}

package io.flinkwatch.testing;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Topics and a Flinkwatch job wired to the shared broker, for one test. */
public final class TestJobs {

    public final String metricsTopic;
    public final String alertsTopic;
    public final String deadLetterTopic;
    public final EmbeddedKafka kafka;
    private final String id;

    public TestJobs(EmbeddedKafka kafka, int metricPartitions) {
        this.kafka = kafka;
        this.id = UUID.randomUUID().toString().substring(0, 8);
        this.metricsTopic = "metrics-" + id;
        this.alertsTopic = "alerts-" + id;
        this.deadLetterTopic = "dead-letters-" + id;
        kafka.createTopics(metricPartitions, metricsTopic);
        kafka.createTopics(1, alertsTopic, deadLetterTopic);
    }

    /** Parameters that point the job at this test's topics, plus {@code extra}. */
    public FlinkwatchConfig config(Map<String, String> extra) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        parameters.put("kafka.metrics-topics", metricsTopic);
        parameters.put("kafka.alerts-topic", alertsTopic);
        parameters.put("kafka.dead-letter-topic", deadLetterTopic);
        parameters.put("kafka.group-id", "flinkwatch-" + id);
        parameters.put("kafka.transactional-id-prefix", "flinkwatch-" + id);
        parameters.put("kafka.starting-offsets", "earliest");
        parameters.put("checkpoint.interval", "1s");
        parameters.put("parallelism", "2");
        // Topics with fewer partitions than source subtasks: the idle subtasks must not hold event
        // time.
        // Not shorter: a partition starved of CPU for a moment must not count as idle and let
        // event time pass its snapshots.
        parameters.put("watermark.idleness", "3s");
        parameters.putAll(extra);
        return FlinkwatchConfig.fromMap(parameters);
    }

    /**
     * Waits until the job has committed (at a checkpoint) the offsets of every snapshot published
     * to the metrics topic so far: it has read all of them.
     */
    public void awaitConsumed() throws Exception {
        Map<Integer, Long> end = kafka.endOffsets(metricsTopic);
        String group = config(Map.of()).get(FlinkwatchParameters.GROUP_ID);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed;
            try (Admin admin = kafka.admin()) {
                committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            }
            boolean all = true;
            for (Map.Entry<Integer, Long> partition : end.entrySet()) {
                OffsetAndMetadata offset =
                        committed.get(new TopicPartition(metricsTopic, partition.getKey()));
                all &=
                        partition.getValue() == 0
                                || (offset != null && offset.offset() >= partition.getValue());
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the job did not consume every snapshot within 5 minutes");
    }

    /** Publishes every snapshot of {@code scenario} to this test's metrics topic, in order. */
    public void publish(Scenario scenario) {
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, metricsTopic);
            scenario.forEachStep(publisher::publish);
            publisher.flush();
        }
    }

    /**
     * Publishes {@code scenario}, replays it bounded on the MiniCluster (with {@code extra}
     * parameters) and returns every alert event it published.
     */
    public List<AlertEvent> replay(Scenario scenario, Map<String, String> extra) throws Exception {
        publish(scenario);
        return replayPublished(extra);
    }

    /**
     * Publishes {@code recording} (in its order), replays it bounded on the MiniCluster (with
     * {@code extra} parameters) and returns every alert event it published.
     */
    public List<AlertEvent> replay(List<MetricSnapshot> recording, Map<String, String> extra)
            throws Exception {
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, metricsTopic);
            publisher.publish(recording);
            publisher.flush();
        }
        return replayPublished(extra);
    }

    private List<AlertEvent> replayPublished(Map<String, String> extra) throws Exception {
        Map<String, String> parameters = new HashMap<>(extra);
        parameters.put("kafka.bounded", "true");
        environment(config(parameters)).execute("replay of a scenario");
        return kafka.readCommitted(alertsTopic, Duration.ofSeconds(30), read -> false).stream()
                .map(record -> parseAlert(record.value()))
                .toList();
    }

    /** An environment (the MiniCluster's, under a test) with the Flinkwatch dataflow on it. */
    public static StreamExecutionEnvironment environment(FlinkwatchConfig config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlinkwatchJob.assemble(env, config);
        return env;
    }

    /**
     * The MiniCluster of an end-to-end test class: one TaskManager with two slots (parallelism 2).
     */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /**
     * A started MiniCluster of one TaskManager with {@code slots} slots, its REST endpoint on a
     * free loopback port: for tests that stop, restore or rescale jobs themselves. The caller
     * closes it.
     */
    public static org.apache.flink.runtime.minicluster.MiniCluster startMiniCluster(int slots)
            throws Exception {
        var cluster =
                new org.apache.flink.runtime.minicluster.MiniCluster(
                        new org.apache.flink.runtime.minicluster.MiniClusterConfiguration.Builder()
                                .setConfiguration(loopbackCluster())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return cluster;
    }

    /**
     * The job parameters that say where a Flinkwatch job of a test reads and writes: {@code
     * metricsTopic} from the earliest offset, {@code alertsTopic} and its dead letters, and a group
     * and transactional ids of their own. A mutable map, for the test's own parameters.
     */
    public static Map<String, String> flinkwatchParameters(
            String bootstrapServers, String metricsTopic, String alertsTopic) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("kafka.bootstrap-servers", bootstrapServers);
        parameters.put("kafka.metrics-topics", metricsTopic);
        parameters.put("kafka.alerts-topic", alertsTopic);
        parameters.put("kafka.dead-letter-topic", alertsTopic + "-dead-letters");
        parameters.put("kafka.group-id", "flinkwatch-" + alertsTopic);
        parameters.put("kafka.transactional-id-prefix", "flinkwatch-" + alertsTopic);
        parameters.put("kafka.starting-offsets", "earliest");
        return parameters;
    }

    /** An alert event read from the alerts topic. */
    public static AlertEvent parseAlert(byte[] json) {
        try {
            return AlertJson.fromJson(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not an alert event", e);
        }
    }

    /**
     * A MiniCluster configuration whose REST endpoint binds a free loopback port: tests never bind
     * Flink's default 8081, which two builds on one machine would fight over.
     */
    public static Configuration loopbackCluster() {
        Configuration configuration = new Configuration();
        configuration.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.BIND_PORT, "0");
        return configuration;
    }
}

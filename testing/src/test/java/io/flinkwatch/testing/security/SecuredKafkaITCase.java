package io.flinkwatch.testing.security;

import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.kafka.KafkaPreflight.KafkaConnectionException;
import io.flinkwatch.ingest.lag.ConsumerGroupLagPoller;
import io.flinkwatch.ingest.lag.LagPollerSettings;
import io.flinkwatch.ingest.publish.PublisherSettings;
import io.flinkwatch.ingest.publish.Settings;
import io.flinkwatch.ingest.publish.SnapshotSender;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.LogCapture;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.tls.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flinkwatch and its publishers against a real broker that only speaks SASL_SSL to them:
 * SCRAM-SHA-512 over TLS, with a certificate signed by an authority made for the test, and every
 * secret in a properties file. The job reads snapshots, writes alerts and dead letters, and reads
 * the tail of the topics for a replay through it; the snapshot sender, the consumer-group lag
 * poller and the metric reporter (loaded by the MiniCluster, reporting the MiniCluster's own jobs)
 * publish through it. A wrong password or an untrusted certificate stops the job at start within
 * seconds with the cause, and a publisher logs an error naming it; no secret is ever logged.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SecuredKafkaITCase {

    private static final String JOB_USER = "flinkwatch";
    private static final String JOB_PASSWORD = "job-" + UUID.randomUUID();
    private static final String PUBLISHER_USER = "publisher";
    private static final String PUBLISHER_PASSWORD = "pub-" + UUID.randomUUID();
    private static final String REPORTER_CLUSTER = "secured-it";

    /** Two jobs; one goes down at 20 minutes and stays down. */
    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(40))
                    .job("up")
                    .job("down")
                    .incident("down", OUTAGE, minutes(20), null)
                    .build();

    private static final Path DIR = tempDir();
    private static final TestCertificates CA =
            TestCertificates.newAuthority(DIR.resolve("ca"), "kafka");
    private static final EmbeddedKafka KAFKA = startBroker();
    private static final String REPORTED_TOPIC = "reported-" + UUID.randomUUID();

    /** The MiniCluster's own metric reporter publishes through the SASL_SSL listener. */
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(reporterConfiguration())
                            .build());

    @AfterAll
    static void stopTheBroker() {
        KAFKA.close();
        LocalProcesses.deleteRecursively(DIR);
    }

    @Test
    void theJobAndItsPublishersReadAndWriteOnlyThroughSaslSsl() throws Exception {
        TestJobs topics = new TestJobs(KAFKA, 2);
        int published = publishTheScenarioThroughTheSender(topics.metricsTopic);
        try (KafkaProducer<byte[], byte[]> junk = securedProducer()) {
            junk.send(new ProducerRecord<>(topics.metricsTopic, "{not json".getBytes())).get();
        }

        FlinkwatchConfig config =
                topics.config(jobParameters(secretsFile("job", JOB_USER, JOB_PASSWORD), true));
        FlinkwatchJob.checkKafka(config);
        TestJobs.environment(config).execute("flinkwatch over SASL_SSL");

        List<AlertEvent> alerts =
                KAFKA.readCommitted(topics.alertsTopic, Duration.ofSeconds(10), r -> false).stream()
                        .map(record -> TestJobs.parseAlert(record.value()))
                        .toList();
        assertThat(alerts)
                .filteredOn(a -> a.status() == AlertStatus.FIRING)
                .extracting(a -> a.label("job_name") + "/" + a.alertname())
                .contains("down/FlinkJobNotRunning");
        assertThat(
                        KAFKA
                                .readCommitted(
                                        topics.deadLetterTopic, Duration.ofSeconds(5), r -> false)
                                .stream()
                                .map(record -> deadLetterReason(record.value())))
                .containsExactly(RejectionReason.MALFORMED_JSON);
        assertThat(published).isGreaterThan(1_000);

        // The lag poller reads a consumer group's lag and publishes it, both over SASL_SSL. The
        // group is set up (by the tests' own plaintext tooling) at the start of the topic, so
        // that it surely lags.
        String group = "lagging-" + UUID.randomUUID();
        try (var admin = KAFKA.admin()) {
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (int partition : KAFKA.endOffsets(topics.metricsTopic).keySet()) {
                start.put(
                        new TopicPartition(topics.metricsTopic, partition),
                        new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets(group, start).all().get(30, TimeUnit.SECONDS);
        }
        try (ConsumerGroupLagPoller poller =
                ConsumerGroupLagPoller.start(
                        LagPollerSettings.from(
                                new Settings(
                                        publisherSettings(
                                                topics.metricsTopic,
                                                Map.of(
                                                        "groups",
                                                        group + "=Flinkwatch",
                                                        "cluster",
                                                        REPORTER_CLUSTER,
                                                        "interval",
                                                        "1s")),
                                        "--")))) {
            List<MetricSnapshot> lag =
                    awaitSnapshots(
                            topics.metricsTopic,
                            snapshot ->
                                    snapshot.external()
                                            && snapshot.job().name().equals("Flinkwatch"));
            assertThat(lag).isNotEmpty();
            assertThat(poller.polls()).isPositive();
        }

        // The reporter in the MiniCluster has published the job that just ran.
        assertThat(
                        awaitSnapshots(
                                REPORTED_TOPIC,
                                snapshot -> snapshot.cluster().equals(REPORTER_CLUSTER)))
                .isNotEmpty();
    }

    @Test
    void aWrongPasswordStopsTheJobAtStartNamingTheCauseAndNoSecretIsLogged() throws Exception {
        TestJobs topics = new TestJobs(KAFKA, 1);
        String wrong = "wrong-" + UUID.randomUUID();
        Map<String, String> parameters =
                new LinkedHashMap<>(jobParameters(secretsFile("wrong", JOB_USER, wrong), false));
        // A secret given by name too (Kafka ignores a key it does not know), to see it masked.
        parameters.put("kafka.properties.custom.api.token", wrong);
        try (LogCapture log = LogCapture.of("io.flinkwatch")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> FlinkwatchJob.main(args(topics, parameters)))
                    .isInstanceOf(KafkaConnectionException.class)
                    .hasMessageContaining("Kafka at " + KAFKA.secured().bootstrapServers())
                    .hasMessageContaining("refused the credentials")
                    .hasMessageContaining("SaslAuthenticationException")
                    .hasMessageNotContaining(wrong);
            // It does not wait for the preflight timeout (a minute): Kafka's answer is final.
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(log.await(5_000, "Starting Flinkwatch with parameters").message())
                    .contains("kafka.properties.custom.api.token=******");
            assertThat(log.lines()).noneMatch(line -> line.message().contains(wrong));
        }
    }

    @Test
    void anUntrustedCertificateStopsTheJobAtStartNamingTheCause() throws Exception {
        TestJobs topics = new TestJobs(KAFKA, 1);
        TestCertificates stranger = TestCertificates.newAuthority(DIR.resolve("stranger"), "other");
        Map<String, String> parameters =
                new LinkedHashMap<>(
                        jobParameters(secretsFile("untrusted", JOB_USER, JOB_PASSWORD), false));
        parameters.put("kafka.properties.ssl.truststore.location", stranger.caPem().toString());

        long start = System.nanoTime();
        assertThatThrownBy(() -> FlinkwatchJob.main(args(topics, parameters)))
                .isInstanceOf(KafkaConnectionException.class)
                .hasMessageContaining("TLS handshake with Kafka at")
                .hasMessageContaining("ssl.truststore");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aPublisherWhoseCredentialsAreRefusedLogsAnErrorNamingTheCause() throws Exception {
        Map<String, String> settings = new HashMap<>(publisherSettings(REPORTED_TOPIC, Map.of()));
        settings.put(
                "kafka.properties-file",
                secretsFile("publisher-wrong", PUBLISHER_USER, "not-" + PUBLISHER_PASSWORD)
                        .toString());
        try (LogCapture log = LogCapture.of("io.flinkwatch.ingest.publish");
                SnapshotSender sender =
                        SnapshotSender.start(
                                PublisherSettings.from(new Settings(settings, "--")))) {
            List<MetricSnapshot> scenario = SCENARIO.snapshots();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            LogCapture.Line error = null;
            for (int i = 0; error == null && System.nanoTime() < deadline; i++) {
                sender.offer(scenario.get(i % scenario.size()));
                error = firstError(log);
                Thread.sleep(100);
            }
            assertThat(error).as("an error naming why Kafka refused the publisher").isNotNull();
            assertThat(error.message())
                    .contains("refused the publisher's credentials or certificate")
                    .contains("SaslAuthenticationException")
                    .doesNotContain(PUBLISHER_PASSWORD);
            assertThat(sender.sentCount()).isZero();
        }
    }

    // --- the secured broker and its clients ----------------------------------------------

    private static EmbeddedKafka startBroker() {
        try {
            EmbeddedKafka kafka =
                    EmbeddedKafka.startSecured(
                            CA, Map.of(JOB_USER, JOB_PASSWORD, PUBLISHER_USER, PUBLISHER_PASSWORD));
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the secured broker", e);
        }
    }

    private static Configuration reporterConfiguration() {
        KAFKA.createTopics(1, REPORTED_TOPIC);
        Map<String, String> config = new HashMap<>();
        String prefix = "metrics.reporter.flinkwatch.";
        config.put(
                prefix + "factory.class",
                "io.flinkwatch.ingest.reporter.FlinkwatchReporterFactory");
        config.put(prefix + "interval", "1 s");
        publisherSettings(REPORTED_TOPIC, Map.of("cluster", REPORTER_CLUSTER, "rest-url", ""))
                .forEach((key, value) -> config.put(prefix + key, value));
        return Configuration.fromMap(config);
    }

    /** A publisher's settings: the secured listener, TLS and SCRAM, the password in a file. */
    private static Map<String, String> publisherSettings(String topic, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("bootstrap-servers", KAFKA.secured().bootstrapServers());
        settings.put("topic", topic);
        KAFKA.secured()
                .transport()
                .forEach((key, value) -> settings.put("kafka.properties." + key, value));
        settings.put(
                "kafka.properties-file",
                secretsFile("publisher", PUBLISHER_USER, PUBLISHER_PASSWORD).toString());
        return settings;
    }

    /** The job's parameters for the secured listener; the password only in the file. */
    private static Map<String, String> jobParameters(Path secrets, boolean bounded) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("kafka.bootstrap-servers", KAFKA.secured().bootstrapServers());
        KAFKA.secured()
                .transport()
                .forEach((key, value) -> parameters.put("kafka.properties." + key, value));
        parameters.put("kafka.properties-file", secrets.toString());
        parameters.put("kafka.bounded", Boolean.toString(bounded));
        parameters.put("kafka.preflight-timeout", "60s");
        return parameters;
    }

    private static String[] args(TestJobs topics, Map<String, String> parameters) {
        Map<String, String> all = new HashMap<>(topics.config(Map.of()).given());
        all.putAll(parameters);
        List<String> args = new ArrayList<>();
        all.forEach(
                (name, value) -> {
                    args.add("--" + name);
                    args.add(value);
                });
        return args.toArray(String[]::new);
    }

    private static Path secretsFile(String name, String user, String password) {
        try {
            Path file = DIR.resolve(name + ".properties");
            Properties secrets = new Properties();
            secrets.setProperty("sasl.jaas.config", EmbeddedKafka.Secured.jaas(user, password));
            try (var out = Files.newBufferedWriter(file)) {
                secrets.store(out, "Kafka client secrets of " + name);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KafkaProducer<byte[], byte[]> securedProducer() {
        Properties props = new Properties();
        props.putAll(KAFKA.secured().clientSettings(PUBLISHER_USER, PUBLISHER_PASSWORD));
        props.setProperty("bootstrap.servers", KAFKA.secured().bootstrapServers());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The scenario of the Alertmanager tests (a job that goes down), sent by the real sender. */
    private static int publishTheScenarioThroughTheSender(String topic) throws Exception {
        List<MetricSnapshot> snapshots = SCENARIO.snapshots();
        try (SnapshotSender sender =
                SnapshotSender.start(
                        PublisherSettings.from(
                                new Settings(publisherSettings(topic, Map.of()), "--")))) {
            for (MetricSnapshot snapshot : snapshots) {
                assertThat(sender.offer(snapshot)).isTrue();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sender.sentCount() < snapshots.size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(sender.sentCount()).isEqualTo(snapshots.size());
            assertThat(sender.droppedCount()).isZero();
        }
        return snapshots.size();
    }

    /** Snapshots of {@code topic} that {@code wanted} accepts, read until there is one. */
    private static List<MetricSnapshot> awaitSnapshots(
            String topic, java.util.function.Predicate<MetricSnapshot> wanted) {
        SnapshotParser parser = SnapshotParser.withDefaults();
        return KAFKA
                .readCommitted(
                        topic,
                        Duration.ofSeconds(60),
                        records ->
                                records.stream()
                                        .map(r -> parse(parser, r.value()))
                                        .anyMatch(s -> s != null && wanted.test(s)))
                .stream()
                .map(record -> parse(parser, record.value()))
                .filter(s -> s != null && wanted.test(s))
                .toList();
    }

    private static MetricSnapshot parse(SnapshotParser parser, byte[] value) {
        try {
            return parser.parse(value);
        } catch (InvalidSnapshotException e) {
            return null;
        }
    }

    private static RejectionReason deadLetterReason(byte[] json) {
        try {
            return DeadLetterJson.fromJson(json).reason();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LogCapture.Line firstError(LogCapture log) {
        return log.lines().stream()
                .filter(line -> line.level() == Level.ERROR)
                .findFirst()
                .orElse(null);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("flinkwatch-secured-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

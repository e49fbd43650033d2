package io.flinkwatch.testing.kafka;

import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.annotation.Nullable;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM on
 * free loopback ports, with its data in a temporary directory that {@link #close()} deletes. Tests,
 * the demo and the benchmarks share it.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final KafkaConfig config;
    private KafkaRaftServer server;
    private boolean stopped;
    private final String bootstrapServers;
    @Nullable private final Secured secured;

    private EmbeddedKafka(
            Path dataDir,
            KafkaConfig config,
            KafkaRaftServer server,
            String bootstrapServers,
            @Nullable Secured secured) {
        this.dataDir = dataDir;
        this.config = config;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.secured = secured;
    }

    /**
     * The SASL_SSL listener of a secured broker: SCRAM-SHA-512 over TLS, with a certificate signed
     * by the test's authority.
     *
     * @param bootstrapServers the listener's address
     * @param caPem the authority clients must trust
     */
    public record Secured(String bootstrapServers, Path caPem) {

        /** Kafka client settings that reach this listener as {@code user}, password and all. */
        public Map<String, String> clientSettings(String user, String password) {
            Map<String, String> settings = new java.util.LinkedHashMap<>(transport());
            settings.put("sasl.jaas.config", jaas(user, password));
            return settings;
        }

        /** The settings that are no secret: protocol, mechanism, trust. */
        public Map<String, String> transport() {
            return Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "ssl.truststore.type", "PEM",
                    "ssl.truststore.location", caPem.toString());
        }

        /** The JAAS line of a SCRAM user. */
        public static String jaas(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + user
                    + "\" password=\""
                    + password
                    + "\";";
        }
    }

    /** Formats a fresh storage directory and starts a broker on it. */
    public static EmbeddedKafka start() throws Exception {
        return start(FreePorts.next());
    }

    /**
     * Starts a broker on a given port: one that was picked (with {@link FreePorts}) before, so that
     * clients could be pointed at it while no broker was there yet.
     */
    public static EmbeddedKafka start(int brokerPort) throws Exception {
        return start(brokerPort, null, Map.of());
    }

    /**
     * Starts a broker with a second listener, SASL_SSL (SCRAM-SHA-512 over TLS, certificate from
     * {@code ca}), on which only {@code users} (name to password) get in. The plaintext listener
     * stays for the tests' own tooling ({@link #bootstrapServers()}, {@link #admin()}); what is
     * under test connects to {@link #secured()}.
     */
    public static EmbeddedKafka startSecured(TestCertificates ca, Map<String, String> users)
            throws Exception {
        return start(FreePorts.next(), ca, users);
    }

    private static EmbeddedKafka start(
            int brokerPort, @Nullable TestCertificates ca, Map<String, String> users)
            throws Exception {
        Path dataDir = Files.createTempDirectory("flinkwatch-kafka-");
        int controllerPort = FreePorts.next();
        String logDir = dataDir.resolve("log").toString();

        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.setProperty(
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("log.dirs", logDir);
        props.setProperty("num.partitions", "1");
        // One node: every internal topic must have a replication factor of 1, or it hangs silently.
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        props.setProperty("auto.create.topics.enable", "false");
        int securedPort = -1;
        if (ca != null) {
            securedPort = FreePorts.next();
            String keyStorePassword = "broker-" + UUID.randomUUID();
            Path keyStore = ca.serverCertificate("kafka-broker").pkcs12(keyStorePassword);
            props.setProperty(
                    "listeners",
                    props.getProperty("listeners") + ",SECURED://127.0.0.1:" + securedPort);
            props.setProperty(
                    "advertised.listeners",
                    props.getProperty("advertised.listeners")
                            + ",SECURED://127.0.0.1:"
                            + securedPort);
            props.setProperty(
                    "listener.security.protocol.map",
                    props.getProperty("listener.security.protocol.map") + ",SECURED:SASL_SSL");
            props.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.setProperty(
                    "listener.name.secured.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            props.setProperty("listener.name.secured.ssl.keystore.type", "PKCS12");
            props.setProperty("listener.name.secured.ssl.keystore.location", keyStore.toString());
            props.setProperty("listener.name.secured.ssl.keystore.password", keyStorePassword);
            props.setProperty("listener.name.secured.ssl.key.password", keyStorePassword);
        }

        new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(randomClusterId())
                .setDirectories(List.of(logDir))
                .setMetadataLogDirectory(logDir)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setHasDynamicQuorum(false)
                .run();

        KafkaConfig config = KafkaConfig.fromProps(props, false);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        Secured secured = ca == null ? null : new Secured("127.0.0.1:" + securedPort, ca.caPem());
        EmbeddedKafka kafka =
                new EmbeddedKafka(dataDir, config, server, "127.0.0.1:" + brokerPort, secured);
        kafka.awaitReady();
        if (secured != null) {
            kafka.addScramUsers(users);
        }
        LOG.info(
                "Kafka broker ready at {}{}",
                kafka.bootstrapServers,
                secured == null ? "" : " (SASL_SSL at " + secured.bootstrapServers() + ")");
        return kafka;
    }

    private static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Kafka broker did not become ready", last);
    }

    /** The plaintext listener (for a secured broker: the tests' own tooling only). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The SASL_SSL listener of a broker started with {@link #startSecured}. */
    public Secured secured() {
        if (secured == null) {
            throw new IllegalStateException("this broker has no secured listener");
        }
        return secured;
    }

    /** Creates SCRAM-SHA-512 users and waits until each can log in on the secured listener. */
    private void addScramUsers(Map<String, String> users) throws Exception {
        List<UserScramCredentialAlteration> alterations = new ArrayList<>();
        users.forEach(
                (user, password) ->
                        alterations.add(
                                new UserScramCredentialUpsertion(
                                        user,
                                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                        password)));
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(alterations).all().get(30, TimeUnit.SECONDS);
        }
        for (Map.Entry<String, String> user : users.entrySet()) {
            awaitLogin(user.getKey(), user.getValue());
        }
    }

    private void awaitLogin(String user, String password) throws Exception {
        Properties props = new Properties();
        props.putAll(secured.clientSettings(user, password));
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secured.bootstrapServers());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            // Credentials reach the broker's metadata a moment after they are accepted.
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("SCRAM user " + user + " cannot log in", last);
    }

    public Admin admin() {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    /** Creates topics with the given number of partitions; existing ones are left as they are. */
    public void createTopics(int partitions, String... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "creating topics " + List.of(topics) + " failed", e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("creating topics " + List.of(topics) + " failed", e);
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    /** A producer with the usual settings, some of them replaced by {@code overrides}. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, String> overrides) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        props.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.putAll(overrides);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer that reads only committed records (what transactional alerts need). */
    public KafkaConsumer<byte[], byte[]> committedReader(String groupId) {
        Properties props = new Properties();
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads committed records of a topic from the beginning until {@code done} accepts what has
     * been read, or the timeout passes; returns what was read either way.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String topic, Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                committedReader("reader-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(records::add);
                if (done.test(records)) {
                    break;
                }
            }
        }
        return records;
    }

    /** Offsets at the end of each partition of a topic. */
    public Map<Integer, Long> endOffsets(String topic) {
        return offsets(topic, true);
    }

    /** Offsets of the first record still held in each partition of a topic. */
    public Map<Integer, Long> beginningOffsets(String topic) {
        return offsets(topic, false);
    }

    private Map<Integer, Long> offsets(String topic, boolean end) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                committedReader("offsets-" + UUID.randomUUID())) {
            Map<Integer, Long> ends = new java.util.TreeMap<>();
            var partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(
                                    info ->
                                            new org.apache.kafka.common.TopicPartition(
                                                    topic, info.partition()))
                            .toList();
            (end ? consumer.endOffsets(partitions) : consumer.beginningOffsets(partitions))
                    .forEach((tp, offset) -> ends.put(tp.partition(), offset));
            return ends;
        }
    }

    /**
     * Stops the broker, keeping its data and ports: what its clients see when Kafka is down. {@link
     * #restart()} brings it back.
     */
    public synchronized void stop() {
        server.shutdown();
        server.awaitShutdown();
        stopped = true;
        LOG.info("Kafka broker at {} stopped", bootstrapServers);
    }

    /** Starts the stopped broker again, on the same ports and data. */
    public synchronized void restart() throws Exception {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        stopped = false;
        awaitReady();
        LOG.info("Kafka broker at {} restarted", bootstrapServers);
    }

    @Override
    public void close() {
        try {
            if (!stopped) {
                server.shutdown();
                server.awaitShutdown();
            }
        } finally {
            LocalProcesses.deleteRecursively(dataDir);
        }
    }
}

package io.flinkwatch.testing.cluster;

import io.flinkwatch.ingest.lag.ConsumerGroupLagPoller;
import io.flinkwatch.ingest.lag.LagPollerSettings;
import io.flinkwatch.ingest.prometheus.BridgeSettings;
import io.flinkwatch.ingest.prometheus.PrometheusBridge;
import io.flinkwatch.ingest.publish.Settings;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.testing.backtest.Recording;
import io.flinkwatch.testing.backtest.TopicRange;
import io.flinkwatch.testing.backtest.TopicRecorder;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.sample.OrderGenerator;
import io.flinkwatch.testing.sample.ThrottledSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that cannot keep up, on a real standalone cluster of one Flink line: the sample job (Kafka
 * source → keyed map → sink) runs at {@value #ORDERS_PER_SECOND} orders a second, once per
 * checkpoint interval asked for; after a warm-up its sink is throttled to a fifth of the input for
 * a while, then released, and the backlog drains. The cluster's metrics reach three topics of the
 * metrics broker, as a fleet's do: the Flinkwatch reporter plugin's ({@link #REPORTED}), the
 * Prometheus bridge's scraping Flink's Prometheus reporter ({@link #SCRAPED}) and the
 * consumer-group lag poller's ({@link #POLLED}), all at {@code publishInterval}. While it runs, the
 * true backlog of each job (log-end offsets of its input minus its group's committed offsets) is
 * kept as the ground truth.
 */
public final class SlowSinkIncident implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlowSinkIncident.class);

    public static final String REPORTED = "flink-metrics";
    public static final String SCRAPED = "flink-metrics-scraped";
    public static final String POLLED = "flink-metrics-polled";
    public static final int ORDERS_PER_SECOND = 500;

    private final FlinkLine line;
    private final String clusterName;
    private final EmbeddedKafka kafka;
    private final StandaloneCluster cluster;
    private final Path throttle;
    private final List<SampleJobRun> jobs = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<TruthSample> truth = new ArrayList<>();

    /** A sample job on the cluster: its name, checkpoint interval, input topic and group. */
    public record SampleJobRun(
            String name,
            Duration checkpointInterval,
            String topic,
            String group,
            String jobId,
            OrderGenerator orders) {}

    /**
     * When the sink was throttled and released (epoch milliseconds, the clock the publishers stamp
     * snapshots with), and each sample job's checkpoint interval: what a replay of the recording
     * needs to judge it. Kept beside the recording as {@code <prefix>-schedule.properties}.
     */
    public record Schedule(long throttledAt, long releasedAt, Map<String, Duration> jobs) {

        public Schedule {
            jobs = Map.copyOf(jobs);
        }

        public void write(Path file) throws IOException {
            Properties properties = new Properties();
            properties.setProperty("throttledAt", Long.toString(throttledAt));
            properties.setProperty("releasedAt", Long.toString(releasedAt));
            jobs.forEach(
                    (job, interval) ->
                            properties.setProperty(
                                    "checkpointInterval." + job, interval.toString()));
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                properties.store(out, "a throttled sink: see SlowSinkIncident");
            }
        }

        public static Schedule read(InputStream in) throws IOException {
            Properties properties = new Properties();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<String, Duration> jobs = new TreeMap<>();
            for (String key : properties.stringPropertyNames()) {
                if (key.startsWith("checkpointInterval.")) {
                    jobs.put(
                            key.substring("checkpointInterval.".length()),
                            Duration.parse(properties.getProperty(key)));
                }
            }
            return new Schedule(
                    Long.parseLong(properties.getProperty("throttledAt")),
                    Long.parseLong(properties.getProperty("releasedAt")),
                    jobs);
        }
    }

    /** The true backlog of a job at a wall-clock instant. */
    public record TruthSample(long time, String job, long logEnd, long committed) {
        public long backlog() {
            return logEnd - committed;
        }
    }

    private SlowSinkIncident(
            FlinkLine line,
            String clusterName,
            EmbeddedKafka kafka,
            StandaloneCluster cluster,
            Path throttle) {
        this.line = line;
        this.clusterName = clusterName;
        this.kafka = kafka;
        this.cluster = cluster;
        this.throttle = throttle;
    }

    /**
     * Starts a cluster of {@code line} publishing its metrics every {@code publishInterval}, and a
     * sample job per checkpoint interval.
     */
    public static SlowSinkIncident start(
            FlinkLine line,
            EmbeddedKafka kafka,
            Duration publishInterval,
            Map<String, Duration> checkpointIntervalsByJobName,
            String include)
            throws Exception {
        String clusterName = "lab-" + line.slug();
        int jobManagerPrometheus = FreePorts.next();
        int taskManagerPrometheus = FreePorts.next();
        Path throttle = Files.createTempFile("flinkwatch-throttle-", ".txt");
        ThrottledSink.throttle(throttle, 0);
        kafka.createTopics(2, REPORTED, SCRAPED, POLLED);
        String interval = publishInterval.toSeconds() + " s";
        StandaloneCluster cluster =
                line.clusterWithPublishers(
                                clusterName,
                                kafka.bootstrapServers(),
                                REPORTED,
                                interval,
                                jobManagerPrometheus,
                                taskManagerPrometheus)
                        .config("metrics.reporter.flinkwatch.include", include)
                        .start();
        SlowSinkIncident incident =
                new SlowSinkIncident(line, clusterName, kafka, cluster, throttle);
        try {
            String jar = cluster.uploadJar(line.sampleJar());
            List<String> groups = new ArrayList<>();
            for (Map.Entry<String, Duration> job : checkpointIntervalsByJobName.entrySet()) {
                String topic = "orders-" + line.slug() + "-" + job.getKey();
                String group = line.slug() + "-" + job.getKey() + "-group";
                kafka.createTopics(2, topic);
                OrderGenerator orders =
                        OrderGenerator.start(kafka.producer(), topic, ORDERS_PER_SECOND);
                incident.running.add(orders);
                String jobId =
                        cluster.run(
                                jar,
                                List.of(
                                        "--job-name",
                                        job.getKey(),
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers(),
                                        "--input-topic",
                                        topic,
                                        "--group-id",
                                        group,
                                        "--checkpoint-interval-ms",
                                        Long.toString(job.getValue().toMillis()),
                                        "--throttle-file",
                                        throttle.toString()),
                                1);
                cluster.awaitRunning(jobId, Duration.ofSeconds(90));
                incident.jobs.add(
                        new SampleJobRun(
                                job.getKey(), job.getValue(), topic, group, jobId, orders));
                groups.add(group + "=" + job.getKey());
            }
            String targets =
                    "http://127.0.0.1:"
                            + jobManagerPrometheus
                            + "/metrics,http://127.0.0.1:"
                            + taskManagerPrometheus
                            + "/metrics";
            String every = publishInterval.toSeconds() + "s";
            incident.running.add(
                    PrometheusBridge.start(
                            BridgeSettings.from(
                                    new Settings(
                                            Map.of(
                                                    "targets", targets,
                                                    "cluster", clusterName,
                                                    "bootstrap-servers", kafka.bootstrapServers(),
                                                    "topic", SCRAPED,
                                                    "include", include,
                                                    "interval", every,
                                                    "flink-rest-url", cluster.restUrl().toString()),
                                            "--"))));
            incident.running.add(
                    ConsumerGroupLagPoller.start(
                            LagPollerSettings.from(
                                    new Settings(
                                            Map.of(
                                                    "groups",
                                                    String.join(",", groups),
                                                    "cluster",
                                                    clusterName,
                                                    "bootstrap-servers",
                                                    kafka.bootstrapServers(),
                                                    "topic",
                                                    POLLED,
                                                    "interval",
                                                    every,
                                                    "flink-rest-url",
                                                    cluster.restUrl().toString()),
                                            "--"))));
        } catch (Exception | Error e) {
            incident.close();
            throw e;
        }
        return incident;
    }

    public FlinkLine line() {
        return line;
    }

    public String clusterName() {
        return clusterName;
    }

    public StandaloneCluster cluster() {
        return cluster;
    }

    public List<SampleJobRun> jobs() {
        return List.copyOf(jobs);
    }

    /** The ground truth so far. */
    public synchronized List<TruthSample> truth() {
        return List.copyOf(truth);
    }

    /** Sets the sinks' speed limit: records per second, 0 for none. */
    public void throttle(long recordsPerSecond) throws IOException {
        LOG.info("{}: sink throttled to {} records/s (0: none)", line, recordsPerSecond);
        ThrottledSink.throttle(throttle, recordsPerSecond);
    }

    /** Waits {@code length} while sampling the true backlog every {@code every}. */
    public void observe(Duration length, Duration every) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            sampleTruth();
            Thread.sleep(
                    Math.min(every.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Samples every job's true backlog once. */
    public void sampleTruth() throws Exception {
        long now = System.currentTimeMillis();
        try (Admin admin = kafka.admin()) {
            for (SampleJobRun job : jobs) {
                long logEnd =
                        kafka.endOffsets(job.topic()).values().stream()
                                .mapToLong(Long::longValue)
                                .sum();
                long committed =
                        admin
                                .listConsumerGroupOffsets(job.group())
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .filter(Objects::nonNull)
                                .mapToLong(offset -> offset.offset())
                                .sum();
                TruthSample sample = new TruthSample(now, job.name(), logEnd, committed);
                synchronized (this) {
                    truth.add(sample);
                }
            }
        }
    }

    /** Reads a ground truth that {@link #record} wrote. */
    public static List<TruthSample> readTruth(InputStream csv) throws IOException {
        List<TruthSample> samples = new ArrayList<>();
        String text = new String(csv.readAllBytes(), StandardCharsets.UTF_8);
        text.lines()
                .skip(1)
                .forEach(
                        row -> {
                            String[] cells = row.split(",");
                            samples.add(
                                    new TruthSample(
                                            Long.parseLong(cells[0]),
                                            cells[1],
                                            Long.parseLong(cells[2]),
                                            Long.parseLong(cells[3])));
                        });
        return samples;
    }

    /**
     * When each job's source fell behind for good after {@code throttledAt}: the first snapshot of
     * its source from which, until {@code releasedAt}, more than {@code records} waited for it in
     * Kafka at every snapshot (the log-end offsets of the ground truth minus the offsets the source
     * had consumed). Until then the network buffers between the tasks take what the sink cannot
     * write, and the source keeps up but for a passing burst.
     */
    public static Map<String, Long> behindSince(
            Recording recording,
            List<TruthSample> truth,
            long throttledAt,
            long releasedAt,
            long records) {
        Map<String, TreeMap<Long, Long>> logEnds = new TreeMap<>();
        for (TruthSample sample : truth) {
            logEnds.computeIfAbsent(sample.job(), j -> new TreeMap<>())
                    .put(sample.time(), sample.logEnd());
        }
        SnapshotParser parser =
                new SnapshotParser(SnapshotLimits.defaults(), java.time.Clock.systemUTC());
        Map<String, TreeMap<Long, Double>> backlogs = new TreeMap<>();
        recording.forEachLine(
                bytes -> {
                    MetricSnapshot snapshot;
                    try {
                        snapshot = parser.parse(bytes);
                    } catch (InvalidSnapshotException e) {
                        return;
                    }
                    TreeMap<Long, Long> ends = logEnds.get(snapshot.job().name());
                    if (snapshot.scope().level() != ScopeLevel.OPERATOR
                            || snapshot.timestamp() <= throttledAt
                            || snapshot.timestamp() >= releasedAt
                            || ends == null) {
                        return;
                    }
                    double consumed = 0;
                    boolean any = false;
                    for (Map.Entry<String, Double> metric : snapshot.metrics().entrySet()) {
                        if (metric.getKey().endsWith(".currentOffset")) {
                            consumed += metric.getValue();
                            any = true;
                        }
                    }
                    Map.Entry<Long, Long> logEnd = ends.floorEntry(snapshot.timestamp());
                    if (any && logEnd != null) {
                        backlogs.computeIfAbsent(snapshot.job().name(), j -> new TreeMap<>())
                                .put(snapshot.timestamp(), logEnd.getValue() - consumed);
                    }
                });
        Map<String, Long> behind = new TreeMap<>();
        backlogs.forEach(
                (job, backlog) -> {
                    Long since = null;
                    for (Map.Entry<Long, Double> sample : backlog.entrySet()) {
                        if (sample.getValue() <= records) {
                            since = null;
                        } else if (since == null) {
                            since = sample.getKey();
                        }
                    }
                    if (since != null) {
                        behind.put(job, since);
                    }
                });
        return behind;
    }

    /**
     * Writes the three metrics topics to {@code <prefix>-reporter.jsonl.gz}, {@code
     * -bridge.jsonl.gz} and {@code -poller.jsonl.gz}, and the truth to {@code -truth.csv}; returns
     * the files by publisher.
     */
    public Map<String, Path> record(Path directory, String prefix) throws IOException {
        Files.createDirectories(directory);
        Map<String, Path> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> topic :
                Map.of("reporter", REPORTED, "bridge", SCRAPED, "poller", POLLED).entrySet()) {
            Path file = directory.resolve(prefix + "-" + topic.getKey() + ".jsonl.gz");
            try (Recording.Writer out = new Recording.Writer(file)) {
                TopicRecorder.record(
                        new TopicRange(
                                kafka.bootstrapServers(),
                                topic.getValue(),
                                TopicRange.Position.parse("--from", "earliest"),
                                TopicRange.Position.parse("--to", "latest"),
                                new java.util.Properties()),
                        out);
            }
            files.put(topic.getKey(), file);
        }
        Path csv = directory.resolve(prefix + "-truth.csv");
        try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("time,job,logEnd,committed,backlog\n");
            for (TruthSample sample : truth()) {
                out.write(
                        sample.time()
                                + ","
                                + sample.job()
                                + ","
                                + sample.logEnd()
                                + ","
                                + sample.committed()
                                + ","
                                + sample.backlog()
                                + "\n");
            }
        }
        files.put("truth", csv);
        return files;
    }

    @Override
    public void close() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", running.get(i), e);
            }
        }
        cluster.close();
        Files.deleteIfExists(throttle);
    }

    /**
     * Records an incident: {@code <line 2.2|1.20> <out dir> [warm-up] [throttled] [recovered]}
     * (durations in minutes, default 3, 9 and 7).
     */
    public static void main(String[] args) throws Exception {
        FlinkLine line = args[0].equals("1.20") ? FlinkLine.FLINK_1_20 : FlinkLine.FLINK_2_2;
        Path out = Path.of(args[1]);
        Duration warmUp = Duration.ofMinutes(args.length > 2 ? Long.parseLong(args[2]) : 3);
        Duration throttled = Duration.ofMinutes(args.length > 3 ? Long.parseLong(args[3]) : 9);
        Duration recovered = Duration.ofMinutes(args.length > 4 ? Long.parseLong(args[4]) : 7);
        Map<String, Duration> jobs = new LinkedHashMap<>();
        jobs.put("orders-cp10s", Duration.ofSeconds(10));
        jobs.put("orders-cp3m", Duration.ofMinutes(3));
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                SlowSinkIncident incident =
                        SlowSinkIncident.start(
                                line,
                                kafka,
                                Duration.ofSeconds(15),
                                jobs,
                                System.getProperty("include", "monitored"))) {
            long started = System.currentTimeMillis();
            incident.observe(warmUp, Duration.ofSeconds(5));
            incident.throttle(ORDERS_PER_SECOND / 5);
            long throttledAt = System.currentTimeMillis();
            incident.observe(throttled, Duration.ofSeconds(5));
            incident.throttle(0);
            long releasedAt = System.currentTimeMillis();
            incident.observe(recovered, Duration.ofSeconds(5));
            Map<String, Path> files = incident.record(out, line.slug());
            new Schedule(throttledAt, releasedAt, jobs)
                    .write(out.resolve(line.slug() + "-schedule.properties"));
            LOG.info("Recorded {} (started at {})", files, started);
        }
    }
}

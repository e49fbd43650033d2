package io.flinkwatch.testing.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.kafka.PartitionClock;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark command: on an embedded broker and a local Flink, for each requested number of
 * monitored series, measures
 *
 * <ol>
 *   <li>throughput of the whole Flinkwatch pipeline over a preloaded topic, and of a job that only
 *       reads and parses the same topic (the machine's practical limit), and their ratio;
 *   <li>bytes of checkpointed state per series, after a week of history has filled the hourly
 *       throughput baselines;
 *   <li>alert latency, from the arrival of the snapshots that complete an outage's two minutes to
 *       the FlinkJobNotRunning alert being readable on the alerts topic, at-least-once and
 *       exactly-once.
 * </ol>
 *
 * Options: {@code --series 10000,100000} {@code --snapshots 1500000} (throughput data per scale)
 * {@code --history-budget 7000000} (most snapshots spent on filling the week of history) {@code
 * --outages 100} {@code --pace 1s} {@code --latency-up-to 100000} (larger scales skip the latency
 * runs, which publish in paced real time) {@code --profile} (a JFR profile of the pipeline run)
 * {@code --measure throughput,state,latency} (what to run; a latency-only run paces at {@code
 * --pace}) {@code --count-per-job-up-to 2000000} (preloaded topics up to this many records are read
 * back and counted per job; larger ones are counted per partition only) {@code --history-clock-skew
 * 1h} (the state run's {@code --watermark.max-clock-skew}; see {@link #HISTORY_CLOCK_SKEW}) {@code
 * --profile-dir dir} (keep the JFR recordings of {@code --profile} there) {@code --repeat 5} (the
 * throughput runs of both jobs, alternated; the fastest of each counts; a profiled run comes after
 * them and is not counted) {@code --state-backend hashmap} (or {@code rocksdb}: Flink's state
 * backend for every Flinkwatch run).
 *
 * <p>Every preload is checked: as many records in the topic as were sent and acknowledged. After
 * every Flinkwatch run the dead-letter topic is read and its letters are printed by reason; a
 * figure measured while snapshots were dead-lettered is flagged in the results table.
 */
public final class Benchmark {

    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 4;
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(15);

    /**
     * One client for every REST request: the throughput run polls while it runs, and each client
     * would start a thread of its own.
     */
    private static final HttpClient REST =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How many slices the latency run spreads each step's snapshots over, within its pace. */
    private static final int SLICES_PER_STEP = 20;

    private final EmbeddedKafka kafka;
    private final Options options;
    private final PrintStream out;
    private final Path workDir;
    private int runs;
    private int restPort;

    private Benchmark(EmbeddedKafka kafka, Options options, PrintStream out, Path workDir) {
        this.kafka = kafka;
        this.options = options;
        this.out = out;
        this.workDir = workDir;
    }

    record Options(
            List<Long> series,
            long snapshots,
            long historyBudget,
            int outages,
            Duration pace,
            long latencyUpTo,
            boolean profile,
            Set<String> measure,
            long countPerJobUpTo,
            Duration historyClockSkew,
            Path profileDir,
            int repeat,
            String stateBackend) {

        static Options parse(String[] args) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--profile")) {
                    given.put("profile", "true");
                } else if (arg.startsWith("--") && i + 1 < args.length) {
                    given.put(arg.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            List<Long> series =
                    Arrays.stream(given.getOrDefault("series", "10000,100000").split(","))
                            .map(s -> Long.parseLong(s.trim().replace("_", "")))
                            .toList();
            return new Options(
                    series,
                    Long.parseLong(given.getOrDefault("snapshots", "1500000")),
                    Long.parseLong(given.getOrDefault("history-budget", "7000000")),
                    Integer.parseInt(given.getOrDefault("outages", "100")),
                    Duration.parse(
                            "PT" + given.getOrDefault("pace", "1s").toUpperCase(Locale.ROOT)),
                    Long.parseLong(given.getOrDefault("latency-up-to", "100000").replace("_", "")),
                    Boolean.parseBoolean(given.getOrDefault("profile", "false")),
                    Set.of(given.getOrDefault("measure", "throughput,state,latency").split(",")),
                    Long.parseLong(
                            given.getOrDefault("count-per-job-up-to", "2000000").replace("_", "")),
                    Duration.parse(
                            "PT"
                                    + given.getOrDefault(
                                                    "history-clock-skew",
                                                    HISTORY_CLOCK_SKEW.toMinutes() + "m")
                                            .toUpperCase(Locale.ROOT)),
                    given.containsKey("profile-dir") ? Path.of(given.get("profile-dir")) : null,
                    Integer.parseInt(given.getOrDefault("repeat", "5")),
                    given.getOrDefault("state-backend", "hashmap"));
        }
    }

    record Throughput(
            long snapshots,
            long samples,
            long bytes,
            double baselinePerSecond,
            double pipelinePerSecond,
            Map<String, Long> deadLetters) {
        double ratio() {
            return pipelinePerSecond / baselinePerSecond;
        }
    }

    record State(long bytes, int historyHours, Map<String, Long> deadLetters) {}

    record Latency(
            int alerts,
            int expected,
            double p50Ms,
            double p99Ms,
            double maxMs,
            Duration pace,
            Map<String, Long> deadLetters) {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        PrintStream out = System.out;
        Path workDir = Files.createTempDirectory("flinkwatch-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Benchmark benchmark = new Benchmark(kafka, options, out, workDir);
            out.printf(
                    "Flinkwatch benchmark: %d cores, %d MiB heap, parallelism %d, %d partitions, Java %s%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20,
                    PARALLELISM,
                    PARTITIONS,
                    System.getProperty("java.version"));
            benchmark.warmUp();
            List<String> rows = new ArrayList<>();
            for (long series : options.series()) {
                rows.add(benchmark.scale(series));
            }
            out.println();
            out.println(
                    "| series | jobs | parse-only snapshots/s | Flinkwatch snapshots/s | samples/s | ratio | state bytes/series (history hours) | latency p50/p99 at-least-once | latency p50/p99 exactly-once |");
            out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            rows.forEach(out::println);
        } finally {
            deleteRecursively(workDir);
        }
        // Kafka and Flink leave non-daemon threads behind.
        System.exit(0);
    }

    private String scale(long requested) throws Exception {
        Fleet fleet = Fleet.withSeries(requested);
        out.printf(
                "%n== %,d series: %,d jobs × %d series, %,d snapshots per 15 s step ==%n",
                fleet.series(), fleet.jobs, fleet.seriesPerJob, fleet.snapshotsPerStep());
        // --measure picks what to run (a latency-only run paces at --pace).
        Throughput throughput =
                options.measure().contains("throughput")
                        ? throughput(fleet)
                        : new Throughput(1, 0, 0, Double.NaN, Double.NaN, Map.of());
        State state =
                options.measure().contains("state") ? state(fleet) : new State(0, 0, Map.of());
        Duration pace =
                options.measure().contains("throughput") ? pace(fleet, throughput) : options.pace();
        String atLeastOnce = "not measured";
        String exactlyOnce = "not measured";
        if (!options.measure().contains("latency")) {
            out.println("latency: not measured (--measure)");
        } else if (requested <= options.latencyUpTo()) {
            atLeastOnce = latencyCell(latency(fleet, "at-least-once", pace));
            exactlyOnce = latencyCell(latency(fleet, "exactly-once", pace));
        } else {
            out.printf(
                    "latency: not measured above %,d series (--latency-up-to): 36 steps at one per %.1f s would take %.0f min per delivery guarantee%n",
                    options.latencyUpTo(),
                    pace.toMillis() / 1000.0,
                    36 * pace.toMillis() / 60_000.0);
        }
        return String.format(
                Locale.ROOT,
                "| %,d | %,d | %,.0f | %,.0f%s | %,.0f | %.2f | %,.0f (%d h)%s | %s | %s |",
                fleet.series(),
                fleet.jobs,
                throughput.baselinePerSecond(),
                throughput.pipelinePerSecond(),
                flag(throughput.deadLetters()),
                throughput.pipelinePerSecond() * throughput.samples() / throughput.snapshots(),
                throughput.ratio(),
                (double) state.bytes() / fleet.series(),
                state.historyHours(),
                flag(state.deadLetters()),
                atLeastOnce,
                exactlyOnce);
    }

    private static String latencyCell(Latency latency) {
        return String.format(
                Locale.ROOT,
                "%.0f / %.0f ms (%d/%d)%s",
                latency.p50Ms(),
                latency.p99Ms(),
                latency.alerts(),
                latency.expected(),
                flag(latency.deadLetters()));
    }

    // --- Throughput ------------------------------------------------------------------------

    /**
     * Runs both jobs once over a small topic first and ignores the figures: every scale then meets
     * a JVM whose JIT has compiled the hot paths, and the first scale is not penalised.
     */
    private void warmUp() throws Exception {
        Fleet fleet = Fleet.withSeries(10_000);
        String topic = topic("warm-up");
        Loaded loaded = preload(topic, fleet.steady("warm-up", Scenario.DEFAULT_START, 160), null);
        StreamExecutionEnvironment baselineEnv = environment(checkpointDir());
        ParseOnlyJob.build(baselineEnv, kafka.bootstrapServers(), topic);
        baselineEnv.execute("parse-only warm-up");
        StreamExecutionEnvironment env = environment(checkpointDir());
        FlinkwatchConfig config = config(topic, Map.of("kafka.bounded", "true"));
        FlinkwatchJob.assemble(env, config);
        env.execute("flinkwatch warm-up");
        deadLetters(config, "warm-up");
        out.printf("warm-up: both jobs ran once over %,d snapshots%n", loaded.snapshots());
    }

    private Throughput throughput(Fleet fleet) throws Exception {
        int steps = (int) Math.max(8, options.snapshots() / fleet.snapshotsPerStep());
        String topic = topic("flow");
        Loaded loaded = preload(topic, fleet.steady("flow", Scenario.DEFAULT_START, steps), null);
        out.printf(
                "throughput: %,d snapshots (%,d samples, %.0f bytes each) in %d steps preloaded%n",
                loaded.snapshots(),
                loaded.samples(),
                (double) loaded.bytes() / loaded.snapshots(),
                steps);

        // Alternate the two jobs and keep each one's fastest run: on a shared two-core machine a
        // single run of either varies by a third (the JIT, the collector, the broker's work).
        List<Double> baselineRates = new ArrayList<>();
        List<Double> pipelineRates = new ArrayList<>();
        FlinkwatchConfig config = null;
        String fastestCheckpoints = "not read";
        for (int run = 1; run <= options.repeat(); run++) {
            StreamExecutionEnvironment baselineEnv = environment(checkpointDir());
            ParseOnlyJob.build(baselineEnv, kafka.bootstrapServers(), topic);
            JobExecutionResult baseline = baselineEnv.execute("parse-only baseline");
            baselineRates.add(loaded.snapshots() * 1000.0 / baseline.getNetRuntime());

            StreamExecutionEnvironment env = environment(checkpointDir());
            config = config(topic, Map.of("kafka.bounded", "true"));
            FlinkwatchJob.assemble(env, config);
            JobClient job = env.executeAsync("flinkwatch throughput");
            // The local cluster goes with the bounded job, so its checkpoints are read while it
            // runs (the summary only: a light request every two seconds).
            String checkpoints = "not read";
            CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
            while (!result.isDone()) {
                String read = checkpointStatistics(job.getJobID(), false);
                if (!read.startsWith("not read")) {
                    checkpoints = read;
                }
                try {
                    result.get(2, TimeUnit.SECONDS);
                } catch (TimeoutException stillRunning) {
                    // read again
                }
            }
            JobExecutionResult pipeline = result.get();
            pipelineRates.add(loaded.snapshots() * 1000.0 / pipeline.getNetRuntime());
            if (pipelineRates.get(run - 1) >= Collections.max(pipelineRates)) {
                fastestCheckpoints = checkpoints;
            }
            out.printf(
                    "  run %d: parse-only %.1f s (%,.0f snapshots/s), flinkwatch %.1f s (%,.0f"
                            + " snapshots/s)%n",
                    run,
                    baseline.getNetRuntime() / 1000.0,
                    baselineRates.get(run - 1),
                    pipeline.getNetRuntime() / 1000.0,
                    pipelineRates.get(run - 1));
        }
        double baselineRate = Collections.max(baselineRates);
        double pipelineRate = Collections.max(pipelineRates);
        out.printf(
                "  checkpoints of the fastest Flinkwatch run (%s), as last read while it ran:"
                        + " %s%n",
                options.stateBackend(), fastestCheckpoints);
        out.printf("  parse-only: best of %d, %,.0f snapshots/s%n", options.repeat(), baselineRate);
        out.printf(
                "  flinkwatch: best of %d, %,.0f snapshots/s, %,.0f samples/s, %.0f %% of"
                        + " parse-only%n",
                options.repeat(),
                pipelineRate,
                pipelineRate * loaded.samples() / loaded.snapshots(),
                100 * pipelineRate / baselineRate);
        Map<String, Long> deadLetters = deadLetters(config, "throughput");
        if (options.profile()) {
            // A run of its own: the recording slows the job down, so it is not measured.
            StreamExecutionEnvironment env = environment(checkpointDir());
            FlinkwatchJob.assemble(env, config(topic, Map.of("kafka.bounded", "true")));
            Recording recording = startRecording();
            env.execute("flinkwatch profile");
            printProfile(recording);
        }
        return new Throughput(
                loaded.snapshots(),
                loaded.samples(),
                loaded.bytes(),
                baselineRate,
                pipelineRate,
                deadLetters);
    }

    private Recording startRecording() throws Exception {
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.start();
        return recording;
    }

    private void printProfile(Recording recording) throws Exception {
        recording.stop();
        Path file = workDir.resolve("pipeline-" + runs + ".jfr");
        recording.dump(file);
        recording.close();
        if (options.profileDir() != null) {
            Files.createDirectories(options.profileDir());
            Path kept = options.profileDir().resolve("pipeline-" + runs + ".jfr");
            Files.copy(file, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            out.printf(
                    "  profile kept in %s (every thread: jfr print, JDK Mission Control)%n", kept);
        }
        HotMethods.Summary summary = HotMethods.of(file, 15);
        out.printf(
                "  profile: %,d CPU samples of task threads%n  by Flinkwatch caller (else library package):%n",
                summary.samples());
        summary.callers().forEach(s -> out.printf("    %5.1f %%  %s%n", s.percent(), s.name()));
        out.println("  by method on top of the stack:");
        summary.methods().forEach(s -> out.printf("    %5.1f %%  %s%n", s.percent(), s.name()));
    }

    // --- State -----------------------------------------------------------------------------

    /**
     * The clock-skew bound of the state run. Its history is compressed (two snapshots 15 s apart in
     * each hour), so every job's clock advances 59m45s at a time, and while a partition is read the
     * jobs that have reached the next hour are that far from the ones that have not. At the default
     * bound (5m) they would be dead-lettered as CLOCK_SKEW; keeping every clock within 5m of its
     * partition-mates would take a snapshot of every job every 5 minutes of the week, 5.5 times the
     * preload. The bound decides which snapshots are accepted, not what state an accepted snapshot
     * leaves, and the run checks that none was dead-lettered; 1h is the largest bound the parameter
     * allows, and the default of {@code --history-clock-skew} ({@code --history-clock-skew 5m}
     * shows what the default bound makes of this history).
     */
    static final Duration HISTORY_CLOCK_SKEW = Duration.ofHours(1);

    private State state(Fleet fleet) throws Exception {
        int tailSteps = 30;
        long perHour = 2 * fleet.snapshotsPerStep();
        int hours =
                (int)
                        Math.max(
                                1,
                                Math.min(
                                        168,
                                        (options.historyBudget()
                                                        - tailSteps * fleet.snapshotsPerStep())
                                                / perHour));
        String topic = topic("history");
        Scenario scenario = fleet.steady("history", Scenario.DEFAULT_START, 1);
        List<Duration> offsets = Fleet.historyOffsets(hours, tailSteps);
        Duration jump = Fleet.largestJump(offsets);
        Duration skew = options.historyClockSkew();
        if (jump.compareTo(skew) > 0) {
            out.printf(
                    "  !!! the history advances a job's clock by %s at a time, more than"
                            + " --history-clock-skew %s: expect CLOCK_SKEW dead letters%n",
                    PartitionClock.human(jump.toMillis()), PartitionClock.human(skew.toMillis()));
        }
        Loaded loaded = preload(topic, scenario, offsets);
        out.printf(
                "state: %,d snapshots preloaded (%d hours of hourly baseline, then %d steps);"
                        + " clocks advance by up to %s at a time, read with"
                        + " --watermark.max-clock-skew %s%n",
                loaded.snapshots(),
                hours,
                tailSteps,
                PartitionClock.human(jump.toMillis()),
                PartitionClock.human(skew.toMillis()));

        Path checkpoints = checkpointDir();
        String group = "bench-state-" + runs;
        FlinkwatchConfig config =
                config(
                        topic,
                        Map.of(
                                "checkpoint.interval",
                                "3s",
                                "kafka.group-id",
                                group,
                                "watermark.max-clock-skew",
                                skew.toSeconds() + "s"));
        StreamExecutionEnvironment env = environment(checkpoints);
        FlinkwatchJob.assemble(env, config);
        long started = System.nanoTime();
        JobClient job = env.executeAsync("flinkwatch state");
        try {
            awaitCommitted(group, topic, Duration.ofMinutes(30));
            out.printf("  consumed in %.1f s%n", (System.nanoTime() - started) / 1e9);
            // The next completed checkpoint holds the state after the last snapshot.
            Path latest =
                    awaitCheckpointAfter(
                            checkpoints, latestCheckpoint(checkpoints), Duration.ofMinutes(5));
            latest = awaitCheckpointAfter(checkpoints, latest, Duration.ofMinutes(5));
            long bytes = sizeOf(latest);
            out.printf(
                    "  checkpoints (%s): %s%n",
                    options.stateBackend(), checkpointStatistics(job.getJobID(), true));
            out.printf(
                    "  checkpoint %s: %,d bytes, %,.0f bytes per series, %,.0f per job%n",
                    latest.getFileName(),
                    bytes,
                    (double) bytes / fleet.series(),
                    (double) bytes / fleet.jobs);
            return new State(bytes, hours, deadLetters(config, "state"));
        } finally {
            job.cancel().get();
        }
    }

    private void awaitCommitted(String group, String topic, Duration timeout) throws Exception {
        Map<Integer, Long> ends = kafka.endOffsets(topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    kafka.admin()
                            .listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get();
            boolean done =
                    ends.entrySet().stream()
                            .allMatch(
                                    end -> {
                                        OffsetAndMetadata offset =
                                                committed.get(
                                                        new TopicPartition(topic, end.getKey()));
                                        return offset != null && offset.offset() >= end.getValue();
                                    });
            if (done) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "the pipeline did not consume " + topic + " within " + timeout);
    }

    private static Path latestCheckpoint(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root, 2)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max((a, b) -> Long.compare(number(a), number(b)))
                    .orElse(null);
        }
    }

    private static Path awaitCheckpointAfter(Path root, Path previous, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Path latest = latestCheckpoint(root);
            if (latest != null
                    && (previous == null || number(latest) > number(previous))
                    && Files.exists(latest.resolve("_metadata"))) {
                return latest;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no checkpoint completed within " + timeout);
    }

    private static long number(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("chk-".length()));
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    // --- Latency ---------------------------------------------------------------------------

    /**
     * A step of event time (15 s) per pace of wall clock, but never faster than the pipeline can
     * go.
     */
    private Duration pace(Fleet fleet, Throughput throughput) {
        long needed = (long) (2_000 * fleet.snapshotsPerStep() / throughput.pipelinePerSecond());
        return options.pace().toMillis() >= needed ? options.pace() : Duration.ofMillis(needed);
    }

    private Latency latency(Fleet fleet, String delivery, Duration pace) throws Exception {
        int warmup = 12;
        int stagger = 10;
        int outages = Math.min(options.outages(), Math.max(1, fleet.jobs / 2));
        // Two minutes down, then the watermark has to pass: a few steps more than the last outage.
        int steps = warmup + stagger + 8 + 6;
        String prefix = "live" + runs;
        Instant start = Instant.now().minus(Duration.ofDays(1));
        Scenario scenario = fleet.withOutages(prefix, start, steps, outages, warmup, stagger);
        String topic = topic("live");
        String alertsTopic = topic("alerts");
        FlinkwatchConfig config =
                config(
                        topic,
                        Map.of(
                                "delivery.guarantee",
                                delivery,
                                "kafka.alerts-topic",
                                alertsTopic,
                                "kafka.starting-offsets",
                                "earliest"));
        StreamExecutionEnvironment env = environment(checkpointDir());
        FlinkwatchJob.assemble(env, config);
        JobClient job = env.executeAsync("flinkwatch latency " + delivery);

        Map<String, Long> seen = new ConcurrentHashMap<>();
        Map<String, Long> startsAt = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader =
                new Thread(() -> readAlerts(alertsTopic, seen, startsAt, stop), "alert-reader");
        reader.start();
        Map<String, Long> deadLetters = Map.of();
        long[] stepTime = new long[steps];
        long[] arrivedAt = new long[steps];
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topic);
            int[] step = {0};
            long began = System.nanoTime();
            scenario.forEachStep(
                    snapshots -> {
                        // A fleet's jobs report at their own moments of the step, not all at
                        // once: the step arrives in slices spread over its pace. Published in one
                        // burst, a 1 M series step (183,337 snapshots) is a backlog of seconds
                        // that no live fleet sends.
                        long stepBegan = began + pace.toNanos() * step[0];
                        int n = snapshots.size();
                        for (int slice = 0; slice < SLICES_PER_STEP; slice++) {
                            publisher.publish(
                                    snapshots.subList(
                                            slice * n / SLICES_PER_STEP,
                                            (slice + 1) * n / SLICES_PER_STEP));
                            publisher.flush();
                            if (slice < SLICES_PER_STEP - 1) {
                                sleepUntil(
                                        stepBegan + pace.toNanos() * (slice + 1) / SLICES_PER_STEP);
                            }
                        }
                        arrivedAt[step[0]] = System.nanoTime();
                        stepTime[step[0]] =
                                snapshots.stream()
                                        .mapToLong(MetricSnapshot::timestamp)
                                        .max()
                                        .orElse(0);
                        step[0]++;
                        sleepUntil(began + pace.toNanos() * step[0]);
                    });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < outages && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            deadLetters = deadLetters(config, "latency " + delivery);
            // Paced like a live fleet: each step's evaluations run as one burst when the
            // watermark passes its instant, so a barrier held up behind them shows here.
            out.printf(
                    "  checkpoints during the latency run (%s): %s%n",
                    delivery, checkpointStatistics(job.getJobID(), true));
        } finally {
            stop.set(true);
            reader.join();
            job.cancel().get();
        }
        List<Double> latencies = new ArrayList<>();
        for (Map.Entry<String, Long> alert : seen.entrySet()) {
            long fireAt = startsAt.get(alert.getKey());
            // The first step whose arrival moves the watermark past the alert's instant.
            for (int k = 0; k < steps; k++) {
                if (stepTime[k] - OUT_OF_ORDERNESS.toMillis() - 1 >= fireAt) {
                    latencies.add((alert.getValue() - arrivedAt[k]) / 1e6);
                    break;
                }
            }
        }
        latencies.sort(Double::compare);
        Latency latency =
                new Latency(
                        latencies.size(),
                        outages,
                        percentile(latencies, 0.50),
                        percentile(latencies, 0.99),
                        latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1),
                        pace,
                        deadLetters);
        out.printf(
                "latency %s: %d of %d alerts, p50 %.0f ms, p99 %.0f ms, max %.0f ms (a 15 s step every %d ms)%n",
                delivery,
                latency.alerts(),
                outages,
                latency.p50Ms(),
                latency.p99Ms(),
                latency.maxMs(),
                pace.toMillis());
        return latency;
    }

    private void readAlerts(
            String topic, Map<String, Long> seen, Map<String, Long> startsAt, AtomicBoolean stop) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                kafka.committedReader("bench-alerts-" + topic)) {
            consumer.subscribe(List.of(topic));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    AlertEvent alert = parse(record.value());
                    if (alert.alertname().equals("FlinkJobNotRunning")
                            && alert.reason() == AlertReason.STARTED) {
                        String job = alert.labels().get("job_name");
                        startsAt.put(job, alert.startsAt());
                        seen.putIfAbsent(job, now);
                    }
                }
            }
        }
    }

    private static AlertEvent parse(byte[] json) {
        try {
            return AlertJson.fromJson(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double percentile(List<Double> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // --- Plumbing --------------------------------------------------------------------------

    private record Loaded(long snapshots, long samples, long bytes) {}

    /**
     * Publishes the scenario's snapshots (at {@code offsets}, or at every step) to a new topic, and
     * checks that the topic holds each of them exactly once ({@link #verifyPreload}).
     */
    private Loaded preload(String topic, Scenario scenario, List<Duration> offsets) {
        long[] totals = new long[3];
        Map<String, Long> sentPerJob = new HashMap<>();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, Long> failures = new ConcurrentHashMap<>();
        Callback delivered =
                (metadata, exception) -> {
                    if (exception == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        failures.merge(exception.getClass().getSimpleName(), 1L, Long::sum);
                    }
                };
        long began = System.nanoTime();
        try (var producer = kafka.producer(PRELOAD_PRODUCER)) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topic);
            java.util.function.Consumer<List<MetricSnapshot>> publish =
                    snapshots -> {
                        for (MetricSnapshot snapshot : snapshots) {
                            totals[2] += publisher.publishCounted(snapshot, delivered);
                            totals[1] += snapshot.metrics().size();
                            sentPerJob.merge(
                                    new String(
                                            SnapshotPublisher.key(snapshot),
                                            StandardCharsets.UTF_8),
                                    1L,
                                    Long::sum);
                        }
                        totals[0] += snapshots.size();
                    };
            if (offsets == null) {
                scenario.forEachStep(publish);
            } else {
                scenario.forEachStepAt(offsets, publish);
            }
            publisher.flush();
        }
        verifyPreload(
                topic,
                totals[0],
                acknowledged.get(),
                failed.get(),
                failures,
                sentPerJob,
                (System.nanoTime() - began) / 1e9);
        return new Loaded(totals[0], totals[1], totals[2]);
    }

    /**
     * Producer settings of the preloads: one request in flight per connection, and long timeouts.
     *
     * <p>One request in flight: a preload starts as soon as its topic is created, and the broker
     * may not lead a new partition yet when the first batch arrives. That batch (sequence 0) gets
     * NOT_LEADER_OR_FOLLOWER; with five requests in flight the next batches arrive a moment later,
     * when the broker leads, and are appended (a broker accepts any first sequence from a producer
     * it knows nothing of). The retried first batch is then behind the partition's sequence, and
     * the broker answers every retry with OUT_OF_ORDER_SEQUENCE_NUMBER (logging
     * OutOfOrderSequenceException, about once a second) until the batch's delivery timeout expires
     * and its records are lost: seen in the state preload at 10 k series, partition 3, 888 times in
     * 15 minutes, then 55 records failed. With one request in flight no later batch overtakes a
     * failed one.
     *
     * <p>Long timeouts: the broker shares two cores with this producer and with Flink. A request
     * that times out is resent, and the broker recognises the copies it appended by their sequence
     * numbers (forced with a 200 ms request timeout: nothing lost or doubled), but a batch still
     * unacknowledged after delivery.timeout.ms fails whether or not the broker wrote it (with a 1 s
     * delivery timeout, 42,722 of 672,342 records failed, 28,580 of them written all the same).
     * {@link #verifyPreload} fails the run if anything is missing or doubled all the same.
     */
    private static final Map<String, String> PRELOAD_PRODUCER =
            Map.of(
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "300000",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "900000",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "900000");

    /**
     * Fails the run unless every preloaded snapshot was acknowledged and the topic holds as many
     * records as were sent (end offsets minus start offsets, per partition), and, for topics of at
     * most {@code --count-per-job-up-to} records, as many of every job as were sent: a benchmark
     * figure measured on lost or duplicated input is not worth printing.
     */
    private void verifyPreload(
            String topic,
            long sent,
            long acknowledged,
            long failed,
            Map<String, Long> failures,
            Map<String, Long> sentPerJob,
            double seconds) {
        Map<Integer, Long> starts = kafka.beginningOffsets(topic);
        Map<Integer, Long> ends = kafka.endOffsets(topic);
        long inTopic = 0;
        StringBuilder partitions = new StringBuilder();
        for (Map.Entry<Integer, Long> end : ends.entrySet()) {
            long held = end.getValue() - starts.getOrDefault(end.getKey(), 0L);
            inTopic += held;
            partitions.append(partitions.isEmpty() ? "" : ", ").append(String.format("%,d", held));
        }
        out.printf(
                "  preload %s: %,d snapshots sent in %.1f s, %,d acknowledged, %,d failed%s; %,d in"
                        + " the topic (end minus start offsets; per partition %s)%n",
                topic,
                sent,
                seconds,
                acknowledged,
                failed,
                failures.isEmpty() ? "" : " " + failures,
                inTopic,
                partitions);
        String perJob = "";
        if (inTopic <= options.countPerJobUpTo()) {
            Map<String, Long> read = countPerJob(topic, starts, ends);
            long wrong =
                    sentPerJob.entrySet().stream()
                            .filter(e -> !e.getValue().equals(read.getOrDefault(e.getKey(), 0L)))
                            .count();
            long unknown = read.keySet().stream().filter(k -> !sentPerJob.containsKey(k)).count();
            out.printf(
                    "  read back: %,d jobs, %,d of them with as many snapshots as were sent, %,d"
                            + " not, %,d jobs that were not sent%n",
                    read.size(), sentPerJob.size() - wrong, wrong, unknown);
            if (wrong > 0 || unknown > 0) {
                perJob = "; " + wrong + " jobs' counts differ";
            }
        } else {
            out.printf(
                    "  read back: not counted per job above %,d records (--count-per-job-up-to)%n",
                    options.countPerJobUpTo());
        }
        if (failed > 0 || acknowledged != sent || inTopic != sent || !perJob.isEmpty()) {
            throw new IllegalStateException(
                    "the preload of "
                            + topic
                            + " is not what was sent: "
                            + sent
                            + " sent, "
                            + acknowledged
                            + " acknowledged, "
                            + failed
                            + " failed "
                            + failures
                            + ", "
                            + inTopic
                            + " in the topic"
                            + perJob);
        }
    }

    /** Reads a topic from its start to its end offsets and counts the records of each key. */
    private Map<String, Long> countPerJob(
            String topic, Map<Integer, Long> starts, Map<Integer, Long> ends) {
        Map<String, Long> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                kafka.committedReader("bench-count-" + topic)) {
            List<TopicPartition> partitions =
                    ends.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, starts.getOrDefault(tp.partition(), 0L)));
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (partitions.stream()
                    .anyMatch(tp -> consumer.position(tp) < ends.get(tp.partition()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " back took too long");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    counts.merge(new String(record.key(), StandardCharsets.UTF_8), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    // --- Dead letters ----------------------------------------------------------------------

    /**
     * The dead letters a run of Flinkwatch wrote, by reason (with one message of each), read from
     * its dead-letter topic. Read uncommitted: an exactly-once run's letters count from the moment
     * they are written, and the letters of a transaction aborted by cancelling the job count too.
     */
    private Map<String, Long> deadLetters(FlinkwatchConfig config, String phase) {
        String topic = config.get(FlinkwatchParameters.DEAD_LETTER_TOPIC);
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, String> example = new HashMap<>();
        Map<Integer, Long> ends = kafka.endOffsets(topic);
        Properties props = new Properties();
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    ends.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> highWatermarks = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream()
                            .anyMatch(tp -> consumer.position(tp) < highWatermarks.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    String reason;
                    String message;
                    try {
                        DeadLetter letter = DeadLetterJson.fromJson(record.value());
                        reason = letter.reason().name();
                        message = letter.message();
                    } catch (IOException | RuntimeException e) {
                        reason = "UNREADABLE";
                        message = e.toString();
                    }
                    byReason.merge(reason, 1L, Long::sum);
                    example.putIfAbsent(reason, message);
                }
            }
        }
        if (byReason.isEmpty()) {
            out.printf("  dead letters (%s): none%n", phase);
        } else {
            long total = byReason.values().stream().mapToLong(Long::longValue).sum();
            out.printf(
                    "  !!! DEAD LETTERS (%s): %,d snapshots were not used: %s%n"
                            + "  !!! the figures of this phase are measured on what was left%n",
                    phase, total, byReason);
            example.forEach(
                    (reason, message) -> out.printf("  !!!   e.g. %s: %s%n", reason, message));
        }
        return byReason;
    }

    /** A warning for a result cell: empty, or how many snapshots were dead-lettered. */
    private static String flag(Map<String, Long> deadLetters) {
        long total = deadLetters.values().stream().mapToLong(Long::longValue).sum();
        return total == 0 ? "" : String.format(Locale.ROOT, " **%,d dead letters!**", total);
    }

    private String topic(String purpose) {
        runs++;
        String topic = "bench-" + purpose + "-" + runs;
        kafka.createTopics(PARTITIONS, topic);
        return topic;
    }

    private FlinkwatchConfig config(String metricsTopic, Map<String, String> extra) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        parameters.put("kafka.metrics-topics", metricsTopic);
        parameters.put("kafka.alerts-topic", topic("alerts"));
        parameters.put("kafka.dead-letter-topic", topic("dead-letters"));
        parameters.put("kafka.group-id", "bench-" + runs);
        parameters.put("kafka.transactional-id-prefix", "bench-" + runs);
        parameters.put("kafka.starting-offsets", "earliest");
        parameters.put("parallelism", Integer.toString(PARALLELISM));
        parameters.put("watermark.out-of-orderness", OUT_OF_ORDERNESS.toSeconds() + "s");
        parameters.putAll(extra);
        return FlinkwatchConfig.fromMap(parameters);
    }

    private Path checkpointDir() throws IOException {
        runs++;
        return Files.createDirectories(workDir.resolve("checkpoints-" + runs));
    }

    /**
     * A local Flink whose checkpoints go to files, as on a real cluster (not to the JobManager's
     * memory).
     */
    private StreamExecutionEnvironment environment(Path checkpoints) throws IOException {
        org.apache.flink.configuration.Configuration flink =
                new org.apache.flink.configuration.Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        // A known free port, so that the state run can read the checkpoint statistics.
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            restPort = socket.getLocalPort();
        }
        flink.set(RestOptions.PORT, restPort);
        flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        flink.set(StateBackendOptions.STATE_BACKEND, options.stateBackend());
        return StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
    }

    /**
     * The job's checkpoint statistics from Flink's REST API: how many completed, and their end to
     * end duration (trigger to acknowledged by every task, so a barrier held up behind a burst of
     * evaluations shows here).
     */
    private String checkpointStatistics(JobID job, boolean perTask) {
        try {
            JsonNode stats = rest("/jobs/" + job + "/checkpoints");
            JsonNode duration = stats.path("summary").path("end_to_end_duration");
            long failed = stats.path("counts").path("failed").asLong();
            // A failed checkpoint is a finding, not a figure: say why the latest one failed.
            String why =
                    failed == 0
                            ? ""
                            : "; the latest failed: "
                                    + failure(stats.path("latest").path("failed"));
            JsonNode size = stats.path("summary").path("checkpointed_size");
            return String.format(
                    "%d completed, %d failed; end-to-end duration p50 %,d ms, p99 %,d ms, max %,d"
                            + " ms; size p50 %,d bytes, max %,d bytes%s%s",
                    stats.path("counts").path("completed").asLong(),
                    failed,
                    duration.path("p50").asLong(),
                    duration.path("p99").asLong(),
                    duration.path("max").asLong(),
                    size.path("p50").asLong(),
                    size.path("max").asLong(),
                    why,
                    perTask ? barrierStatistics(job, stats) : "");
        } catch (Exception e) {
            return "not read (" + e + ")";
        }
    }

    /** Why a checkpoint failed, or all Flink says of it when it gives no message. */
    private static String failure(JsonNode failed) {
        String message = failed.path("failure_message").asText("");
        return message.isEmpty() ? failed.toString() : message;
    }

    /**
     * Where the checkpoints of Flink's history (its last ten) spent their time, per task: how long
     * the barrier took to reach a subtask after the trigger (start delay: records and timers
     * processed ahead of it, such as a burst of evaluations), the alignment of its inputs, and the
     * synchronous and asynchronous parts of the snapshot; the largest over subtasks and
     * checkpoints.
     */
    private String barrierStatistics(JobID job, JsonNode stats) throws Exception {
        String jobPath = "/jobs/" + job;
        StringBuilder lines = new StringBuilder();
        for (JsonNode vertex : rest(jobPath).path("vertices")) {
            long startDelay = 0;
            long alignment = 0;
            long sync = 0;
            long async = 0;
            int checkpoints = 0;
            for (JsonNode checkpoint : stats.path("history")) {
                if (!"COMPLETED".equals(checkpoint.path("status").asText())) {
                    continue;
                }
                JsonNode summary =
                        rest(jobPath
                                        + "/checkpoints/details/"
                                        + checkpoint.path("id").asLong()
                                        + "/subtasks/"
                                        + vertex.path("id").asText())
                                .path("summary");
                checkpoints++;
                startDelay = Math.max(startDelay, summary.path("start_delay").path("max").asLong());
                alignment =
                        Math.max(
                                alignment,
                                summary.path("alignment").path("duration").path("max").asLong());
                JsonNode parts = summary.path("checkpoint_duration");
                sync = Math.max(sync, parts.path("sync").path("max").asLong());
                async = Math.max(async, parts.path("async").path("max").asLong());
            }
            String name = vertex.path("name").asText();
            lines.append(
                    String.format(
                            "%n    %s: barrier start delay max %,d ms, alignment max %,d ms, sync"
                                    + " max %,d ms, async max %,d ms (%d checkpoints)",
                            name.length() > 60 ? name.substring(0, 60) + "…" : name,
                            startDelay,
                            alignment,
                            sync,
                            async,
                            checkpoints));
        }
        return lines.toString();
    }

    private JsonNode rest(String path) throws Exception {
        HttpResponse<String> response =
                REST.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }
}

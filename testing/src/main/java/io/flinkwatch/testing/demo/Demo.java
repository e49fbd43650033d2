package io.flinkwatch.testing.demo;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.sample.OrderGenerator;
import io.flinkwatch.testing.sample.SampleJob;
import io.flinkwatch.testing.sample.ThrottledSink;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The README's first command, live and in real time (about three minutes): an embedded Kafka
 * broker; the sample job (Kafka source → keyed map → sink) on a local Flink with the Flinkwatch
 * metric reporter, fed 500 orders a second; Flinkwatch on a second local Flink; and two simulated
 * jobs beside the real one. The sample job's sink is throttled on a schedule, so that
 * FlinkHighBackpressure fires naming it as the bottleneck, and resolves when the throttle is
 * lifted; one simulated job restarts for a while (FlinkJobNotRunning, with its other alerts
 * inhibited), the other falls silent (FlinkMetricsAbsent), and a malformed snapshot goes to the
 * dead-letter topic. Alerts are printed as they arrive on the alerts topic.
 *
 * <p>To fit in minutes, the demo shortens some durations with job parameters (printed at the
 * start); the defaults are the article's.
 *
 * <p>This is a command-line program: it prints to standard output on purpose.
 */
public final class Demo {

    private static final String CLUSTER = "demo";
    private static final String METRICS = "flink-metrics";
    private static final String ALERTS = "flinkwatch-alerts";
    private static final String DEAD_LETTERS = "flinkwatch-dead-letters";
    private static final String ORDERS = "orders";
    private static final int ORDERS_PER_SECOND = 500;
    private static final int THROTTLED_PER_SECOND = 100;

    private static final Duration STEP = Duration.ofSeconds(5);
    private static final Duration MALFORMED_AT = Duration.ofSeconds(15);
    private static final Duration THROTTLE_AT = Duration.ofSeconds(20);
    private static final Duration OUTAGE_FROM = Duration.ofSeconds(20);
    private static final Duration OUTAGE_UNTIL = Duration.ofSeconds(110);
    private static final Duration SILENCE_AT = Duration.ofSeconds(30);
    private static final Duration UNTHROTTLE_AT = Duration.ofSeconds(150);
    private static final Duration LONGEST = Duration.ofSeconds(230);

    /** Durations shortened so that the demo fits in a few minutes. */
    static final Map<String, String> SHORTENED =
            Map.of(
                    "evaluation.interval", "5s",
                    "rule.high-backpressure.for", "30s",
                    "rule.job-not-running.for", "1m",
                    "rule.metrics-absent.after", "1m",
                    "rule.lag-growing.range", "30s",
                    "rule.lag-growing.for", "30s",
                    "lifecycle.resolve-hold", "20s");

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        new Demo(System.out).run();
        // Flink and Kafka leave non-daemon threads behind; the demo is over.
        System.exit(0);
    }

    void run() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook =
                new Thread(
                        () -> {
                            interrupted.set(true);
                            out.println();
                            out.println(
                                    "Interrupted: stopping the demo (broker and Flink shut down, temp files removed).");
                            main.interrupt();
                        });
        Runtime.getRuntime().addShutdownHook(hook);
        Path throttle = Files.createTempFile("flinkwatch-demo-throttle-", ".txt");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, METRICS, ORDERS);
            kafka.createTopics(1, ALERTS, DEAD_LETTERS);
            ThrottledSink.throttle(throttle, 0);
            JobClient sample = startSampleJob(kafka, throttle);
            JobClient flinkwatch = startFlinkwatch(kafka);
            Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Scenario simulated =
                    Scenario.starting(start)
                            .cluster(CLUSTER)
                            .step(STEP)
                            .length(LONGEST)
                            .job("orders-cdc")
                            .job("payments-etl")
                            .incident("orders-cdc", IncidentKind.OUTAGE, OUTAGE_FROM, OUTAGE_UNTIL)
                            .incident("payments-etl", IncidentKind.SILENCE, SILENCE_AT, null)
                            .build();
            banner(kafka);
            AlertPrinter printer = new AlertPrinter(out, start);
            List<AlertEvent> seen = new ArrayList<>();
            try (OrderGenerator orders =
                            OrderGenerator.start(kafka.producer(), ORDERS, ORDERS_PER_SECOND);
                    KafkaConsumer<byte[], byte[]> alerts = kafka.committedReader("demo-printer");
                    KafkaConsumer<byte[], byte[]> deadLetters =
                            kafka.committedReader("demo-dead-letters");
                    var producer = kafka.producer()) {
                alerts.subscribe(List.of(ALERTS));
                deadLetters.subscribe(List.of(DEAD_LETTERS));
                SnapshotPublisher publisher = new SnapshotPublisher(producer, METRICS);
                for (Duration at = Duration.ZERO;
                        at.compareTo(LONGEST) < 0 && !interrupted.get() && !done(seen);
                        at = at.plus(STEP)) {
                    simulated.forEachStepAt(List.of(at), publisher::publish);
                    if (at.equals(MALFORMED_AT)) {
                        publisher.publishRaw(
                                CLUSTER + "/orders-cdc",
                                "{\"version\": 1, \"timestamp\": \"yesterday\"}"
                                        .getBytes(StandardCharsets.UTF_8));
                        say(printer, "a malformed snapshot is published");
                    }
                    if (at.equals(THROTTLE_AT)) {
                        ThrottledSink.throttle(throttle, THROTTLED_PER_SECOND);
                        say(
                                printer,
                                "the sink of "
                                        + SampleJob.JOB_NAME
                                        + " slows down to "
                                        + THROTTLED_PER_SECOND
                                        + " records/s (input: "
                                        + ORDERS_PER_SECOND
                                        + "/s); busy time ramps up over a minute");
                    }
                    if (at.equals(OUTAGE_FROM)) {
                        say(
                                printer,
                                "orders-cdc (simulated) starts restarting; payments-etl falls silent at +00:30");
                    }
                    if (at.equals(OUTAGE_UNTIL)) {
                        say(printer, "orders-cdc runs again");
                    }
                    if (at.equals(UNTHROTTLE_AT)) {
                        ThrottledSink.throttle(throttle, 0);
                        say(printer, "the sink of " + SampleJob.JOB_NAME + " is fast again");
                    }
                    publisher.flush();
                    long due = start.plus(at).plus(STEP).toEpochMilli();
                    while (!interrupted.get() && System.currentTimeMillis() < due) {
                        poll(
                                alerts,
                                deadLetters,
                                printer,
                                seen,
                                Duration.ofMillis(
                                        Math.max(
                                                1,
                                                Math.min(500, due - System.currentTimeMillis()))));
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException | InterruptedException e) {
                Thread.interrupted();
            } finally {
                flinkwatch.cancel().get();
                sample.cancel().get();
            }
            out.println();
            out.printf("Done: %d alert events.%n", seen.size());
            report(
                    seen,
                    "FlinkHighBackpressure",
                    SampleJob.JOB_NAME,
                    "the throttled sink, named as the bottleneck");
            report(seen, "FlinkJobNotRunning", "orders-cdc", "the scripted restarts");
            report(seen, "FlinkMetricsAbsent", "payments-etl", "the job that went silent");
        } finally {
            Files.deleteIfExists(throttle);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running: the JVM is exiting.
            }
        }
    }

    /** Everything the demo shows has happened: the backpressure alert fired and resolved. */
    private static boolean done(List<AlertEvent> seen) {
        return seen.stream()
                        .anyMatch(
                                e ->
                                        e.alertname().equals("FlinkHighBackpressure")
                                                && e.status() == AlertStatus.RESOLVED)
                && seen.stream().anyMatch(e -> e.alertname().equals("FlinkMetricsAbsent"))
                && seen.stream()
                        .anyMatch(
                                e ->
                                        e.alertname().equals("FlinkJobNotRunning")
                                                && e.status() == AlertStatus.RESOLVED);
    }

    private void say(AlertPrinter printer, String what) {
        out.printf("%s  -------- %s%n", printer.relative(System.currentTimeMillis()), what);
    }

    private void report(List<AlertEvent> seen, String alert, String jobName, String incident) {
        boolean fired =
                seen.stream()
                        .anyMatch(
                                e ->
                                        e.alertname().equals(alert)
                                                && jobName.equals(e.label("job_name")));
        out.printf(
                "  %s %s for %s (%s)%n",
                fired ? "fired" : "DID NOT FIRE:", alert, jobName, incident);
    }

    private void banner(EmbeddedKafka kafka) {
        out.println("Flinkwatch demo (live, about three minutes; Ctrl-C stops it)");
        out.printf(
                "  Kafka broker   : %s (KRaft, in this JVM); topics %s, %s, %s, %s%n",
                kafka.bootstrapServers(), ORDERS, METRICS, ALERTS, DEAD_LETTERS);
        out.printf(
                "  watched        : %s, a real Flink job (Source: %s -> %s -> sink %s) with the Flinkwatch reporter,%n",
                SampleJob.JOB_NAME, SampleJob.SOURCE_NAME, SampleJob.MAP_NAME, SampleJob.SINK_NAME);
        out.println("                   and two simulated jobs, orders-cdc and payments-etl");
        out.println("  shortened      : " + new java.util.TreeMap<>(SHORTENED));
        out.println(
                "  times below    : minutes:seconds since the start (of event time for alerts)");
        out.println();
    }

    private JobClient startSampleJob(EmbeddedKafka kafka, Path throttle) throws Exception {
        int restPort = FreePorts.next();
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "rest.bind-address",
                                "127.0.0.1",
                                "rest.address",
                                "127.0.0.1",
                                "rest.port",
                                Integer.toString(restPort),
                                // The Flinkwatch reporter, configured as in a cluster's
                                // config.yaml.
                                "metrics.reporter.flinkwatch.factory.class",
                                "io.flinkwatch.ingest.reporter.FlinkwatchReporterFactory",
                                "metrics.reporter.flinkwatch.interval",
                                "2 s",
                                "metrics.reporter.flinkwatch.bootstrap-servers",
                                kafka.bootstrapServers(),
                                "metrics.reporter.flinkwatch.topic",
                                METRICS,
                                "metrics.reporter.flinkwatch.cluster",
                                CLUSTER,
                                "metrics.reporter.flinkwatch.rest-url",
                                "http://127.0.0.1:" + restPort));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, flink);
        SampleJob.build(
                env,
                kafka.bootstrapServers(),
                ORDERS,
                SampleJob.JOB_NAME,
                throttle.toString(),
                Duration.ofSeconds(2));
        return env.executeAsync(SampleJob.JOB_NAME);
    }

    private JobClient startFlinkwatch(EmbeddedKafka kafka) throws Exception {
        Map<String, String> parameters = new java.util.HashMap<>(SHORTENED);
        parameters.putAll(
                Map.of(
                        "kafka.bootstrap-servers",
                        kafka.bootstrapServers(),
                        "kafka.metrics-topics",
                        METRICS,
                        "kafka.alerts-topic",
                        ALERTS,
                        "kafka.dead-letter-topic",
                        DEAD_LETTERS,
                        "kafka.starting-offsets",
                        "earliest",
                        "checkpoint.interval",
                        "1s",
                        "watermark.idleness",
                        "2s",
                        "parallelism",
                        "2"));
        FlinkwatchConfig config = FlinkwatchConfig.fromMap(parameters);
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "rest.bind-address",
                                "127.0.0.1",
                                "rest.address",
                                "127.0.0.1",
                                "rest.port",
                                "0"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        FlinkwatchJob.assemble(env, config);
        return env.executeAsync("Flinkwatch demo");
    }

    private void poll(
            KafkaConsumer<byte[], byte[]> alerts,
            KafkaConsumer<byte[], byte[]> deadLetters,
            AlertPrinter printer,
            List<AlertEvent> seen,
            Duration time)
            throws Exception {
        for (ConsumerRecord<byte[], byte[]> record : alerts.poll(time)) {
            AlertEvent event = AlertJson.fromJson(record.value());
            seen.add(event);
            printer.print(event);
        }
        for (ConsumerRecord<byte[], byte[]> record : deadLetters.poll(Duration.ZERO)) {
            DeadLetter letter = DeadLetterJson.fromJson(record.value());
            out.printf(
                    "           DEAD LETTER %s (partition %d, offset %d): %s%n",
                    letter.reason(), letter.partition(), letter.offset(), letter.message());
        }
    }
}

package io.flinkwatch.testing.demo;

import static io.flinkwatch.testing.scenario.Scenario.minutes;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertJson;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.FlinkwatchJob;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The README's first command: an embedded Kafka broker, Flinkwatch on a local Flink, and
 * generated metrics of three jobs with scripted incidents, replayed 100 times faster than real
 * time; alerts are printed as they arrive on the alerts topic.
 *
 * <p>This is a command-line program: it prints to standard output on purpose.
 */
public final class Demo {

    private static final String METRICS = "flink-metrics";
    private static final String ALERTS = "flinkwatch-alerts";
    private static final String DEAD_LETTERS = "flinkwatch-dead-letters";
    /** Ten seconds of monitored time per 100 ms of wall clock. */
    private static final Duration WALL_PER_STEP = Duration.ofMillis(100);

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
                            out.println("Interrupted: stopping the demo (broker and Flink shut down, temp files removed).");
                            main.interrupt();
                        });
        Runtime.getRuntime().addShutdownHook(hook);

        Instant start = Instant.now().minus(Duration.ofMinutes(45)).truncatedTo(ChronoUnit.MINUTES);
        Scenario scenario =
                Scenario.starting(start)
                        .cluster("demo")
                        .length(minutes(32))
                        .job("orders-cdc")
                        .job("payments-etl")
                        .job("inventory-sync")
                        .incident("orders-cdc", IncidentKind.OUTAGE, minutes(5), minutes(11))
                        .incident("payments-etl", IncidentKind.SILENCE, minutes(18), null)
                        .build();

        banner(scenario);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, METRICS);
            kafka.createTopics(1, ALERTS, DEAD_LETTERS);
            out.printf("Kafka broker (KRaft) on %s; topics %s, %s, %s%n", kafka.bootstrapServers(), METRICS, ALERTS, DEAD_LETTERS);

            JobClient job = startFlinkwatch(kafka);
            out.println("Flinkwatch is running on a local Flink cluster. Replaying 32 minutes of three jobs at 100x...");
            out.println();
            List<AlertEvent> seen = new ArrayList<>();
            AlertPrinter printer = new AlertPrinter(out, scenario.start());
            try (KafkaConsumer<byte[], byte[]> alerts = kafka.committedReader("demo-printer");
                    KafkaConsumer<byte[], byte[]> deadLetters = kafka.committedReader("demo-dead-letters");
                    var producer = kafka.producer()) {
                alerts.subscribe(List.of(ALERTS));
                deadLetters.subscribe(List.of(DEAD_LETTERS));
                SnapshotPublisher publisher = new SnapshotPublisher(producer, METRICS);
                List<List<MetricSnapshot>> steps = new ArrayList<>();
                scenario.forEachStep(steps::add);
                for (int i = 0; i < steps.size() && !interrupted.get(); i++) {
                    publisher.publish(steps.get(i));
                    if (i == steps.size() / 3) {
                        publisher.publishRaw("demo/orders-cdc", "{\"version\": 1, \"timestamp\": \"yesterday\"}".getBytes(StandardCharsets.UTF_8));
                    }
                    publisher.flush();
                    poll(alerts, deadLetters, printer, seen, WALL_PER_STEP);
                }
                // Let the last checkpoint publish what is still in flight.
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!interrupted.get() && System.nanoTime() < deadline && seen.size() < 3) {
                    poll(alerts, deadLetters, printer, seen, Duration.ofMillis(500));
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                Thread.interrupted();
            } finally {
                job.cancel().get();
            }
            out.println();
            out.printf("Done: %d alert events.%n", seen.size());
            report(seen, "FlinkJobNotRunning", "orders-cdc", "the scripted outage");
            report(seen, "FlinkMetricsAbsent", "payments-etl", "the job that went silent");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running: the JVM is exiting.
            }
        }
    }

    private void report(List<AlertEvent> seen, String alert, String jobName, String incident) {
        boolean fired =
                seen.stream().anyMatch(e -> e.alertname().equals(alert) && jobName.equals(e.label("job_name")));
        out.printf("  %s %s for %s (%s)%n", fired ? "fired" : "DID NOT FIRE:", alert, jobName, incident);
    }

    private void banner(Scenario scenario) {
        out.println("Flinkwatch demo");
        out.println("  monitored jobs : orders-cdc, payments-etl, inventory-sync (Source -> Map -> Sink, parallelism 2)");
        out.println("  incidents      : orders-cdc restarts for 6 minutes at +05:00; payments-etl goes silent at +18:00;");
        out.println("                   one malformed snapshot is published at about +10:40");
        out.println("  times below    : minutes:seconds of monitored (event) time since " + scenario.start());
        out.println();
    }

    private JobClient startFlinkwatch(EmbeddedKafka kafka) throws Exception {
        FlinkwatchConfig config =
                FlinkwatchConfig.fromMap(
                        Map.of(
                                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                                "kafka.metrics-topics", METRICS,
                                "kafka.alerts-topic", ALERTS,
                                "kafka.dead-letter-topic", DEAD_LETTERS,
                                "kafka.starting-offsets", "earliest",
                                "checkpoint.interval", "1s",
                                "watermark.idleness", "2s",
                                "parallelism", "2"));
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, 0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        FlinkwatchJob.configure(env, config);
        FlinkwatchJob.pipeline(config)
                .build(env, FlinkwatchJob.kafkaSource(config), FlinkwatchJob.alertSink(config), FlinkwatchJob.deadLetterSink(config));
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
            out.printf("           DEAD LETTER %s (partition %d, offset %d): %s%n", letter.reason(), letter.partition(), letter.offset(), letter.message());
        }
    }
}

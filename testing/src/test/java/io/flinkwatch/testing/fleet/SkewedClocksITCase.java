package io.flinkwatch.testing.fleet;

import static io.flinkwatch.testing.scenario.IncidentKind.CHECKPOINT_FAILURES;
import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.testing.AlertLog;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clusters whose clocks disagree share partitions of the metrics topic, live. Each of five
 * partitions carries one case: cluster {@code a<case>} (two jobs, one of them down from 10 to 16
 * minutes) and cluster {@code b<case>} (one job whose checkpoints fail from minute 5 to 20), with
 * cluster b's clock off by −40 s, +90 s, +4 minutes, +20 minutes (beyond the 5-minute bound), and,
 * in the last case, right but with a publisher that cannot reach Kafka for two minutes and then
 * delivers what it buffered. Snapshots are published as they would be live, every partition
 * interleaved, 10 s of the fleet's life every 150 ms.
 *
 * <p>The same snapshots with every clock right, replayed first, are the reference: within the
 * bound, every incident fires at its own job's event time (its skew added) within one evaluation of
 * the reference, no snapshot is dead-lettered, and nothing is reported absent. Beyond the bound,
 * cluster b's job is reported as FlinkwatchClockSkew and its snapshots as CLOCK_SKEW dead letters,
 * while cluster a stays fully monitored.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SkewedClocksITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    /** Cluster b's clock in each case (partition); the last case is right but delivers late. */
    static final List<Duration> SKEWS =
            List.of(
                    Duration.ofSeconds(-40),
                    Duration.ofSeconds(90),
                    Duration.ofMinutes(4),
                    Duration.ofMinutes(20),
                    Duration.ZERO);

    static final int BEYOND_BOUND = 3;
    static final int BUFFERED = 4;

    /** The buffering publisher's Kafka outage, in its scenario's time. */
    static final Duration OUTAGE_FROM = minutes(8);

    static final Duration OUTAGE_UNTIL = minutes(10);

    /** Cluster b starts reporting once the partition has a consensus (see PartitionClock). */
    static final int B_STARTS_AT_STEP = 4;

    static final long STEP_EVERY_MS = 150;
    static final Duration ONE_EVALUATION = Duration.ofSeconds(15);

    private static List<AlertEvent> reference;
    private static List<AlertEvent> live;
    private static List<DeadLetter> deadLetters;
    private static long newestReferenceAlert;

    @BeforeAll
    static void runWithRightClocksThenWithSkewedOnes() throws Exception {
        EmbeddedKafka kafka = SharedKafka.broker();

        TestJobs right = new TestJobs(kafka, SKEWS.size());
        publish(kafka, right, false);
        TestJobs.environment(right.config(Map.of("kafka.bounded", "true")))
                .execute("skewed clocks: reference");
        reference = AlertLog.read(right, events -> false, Duration.ofSeconds(20));
        newestReferenceAlert =
                reference.stream().mapToLong(AlertEvent::startsAt).max().orElseThrow();

        TestJobs skewed = new TestJobs(kafka, SKEWS.size());
        JobClient job = TestJobs.environment(skewed.config(Map.of())).executeAsync("skewed clocks");
        try {
            publish(kafka, skewed, true);
            skewed.awaitConsumed();
            live =
                    AlertLog.read(
                            skewed,
                            SkewedClocksITCase::everyReferenceAlertHasFired,
                            Duration.ofMinutes(3));
            System.out.printf("Reference: %s%nLive: %s%n", summary(reference), summary(live));
            deadLetters =
                    kafka
                            .readCommitted(
                                    skewed.deadLetterTopic, Duration.ofSeconds(10), r -> false)
                            .stream()
                            .map(record -> deadLetter(record.value()))
                            .toList();
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void withinTheBoundEveryIncidentFiresAtItsOwnEventTime() {
        List<AlertEvent> expected = firing(reference, e -> true);
        for (int c = 0; c < SKEWS.size(); c++) {
            assertThat(expected)
                    .as("the reference has an outage and failing checkpoints in case %d", c)
                    .extracting(e -> e.label("cluster") + "/" + e.alertname())
                    .contains(
                            "a" + c + "/FlinkJobNotRunning", "b" + c + "/FlinkCheckpointFailures");
        }
        for (AlertEvent want : expected) {
            int c = caseOf(want);
            if (c == BEYOND_BOUND && want.label("cluster").startsWith("b")) {
                continue;
            }
            Duration skew = want.label("cluster").startsWith("b") ? SKEWS.get(c) : Duration.ZERO;
            AlertEvent got = sameAlert(live, want);
            assertThat(Duration.ofMillis(got.startsAt() - skew.toMillis() - want.startsAt()).abs())
                    .as(
                            "%s of %s/%s, clock %s",
                            want.alertname(), want.label("cluster"), want.label("job_name"), skew)
                    .isLessThanOrEqualTo(ONE_EVALUATION);
        }
    }

    @Test
    void noHealthyJobIsDeadLetteredOrReportedAbsent() {
        assertThat(deadLetters)
                .allSatisfy(
                        letter -> {
                            assertThat(letter.reason()).isEqualTo(RejectionReason.CLOCK_SKEW);
                            assertThat(letter.partition()).isEqualTo(BEYOND_BOUND);
                        });
        assertThat(live).extracting(AlertEvent::alertname).doesNotContain("FlinkMetricsAbsent");
    }

    @Test
    void beyondTheBoundTheClusterIsNamedAndItsSnapshotsAreDeadLettered() {
        assertThat(deadLetters).hasSizeGreaterThan(100);
        assertThat(deadLetters.get(0).message())
                .contains("job 'billing'")
                .contains("cluster 'b3'")
                .contains("ahead of the other jobs of partition 3");
        List<AlertEvent> skew = firing(live, e -> e.alertname().equals("FlinkwatchClockSkew"));
        assertThat(skew).hasSize(1);
        assertThat(skew.get(0).labels())
                .containsEntry("cluster", "b" + BEYOND_BOUND)
                .containsEntry("job_name", "billing")
                .containsEntry("severity", "warning");
        assertThat(skew.get(0).annotations().get("summary"))
                .contains("b3")
                // 20 minutes, measured against the other clocks as they stood (a step apart).
                .containsPattern("is (19m5[0-9]s|20m[0-9]*s?) ahead")
                .contains("not monitored");
        // Nothing else about the skewed cluster: none of its (unreadable) incidents.
        assertThat(live)
                .filteredOn(e -> ("b" + BEYOND_BOUND).equals(e.label("cluster")))
                .extracting(AlertEvent::alertname)
                .containsOnly("FlinkwatchClockSkew");
    }

    /**
     * The cases, one per partition. Built afresh for each run: a scenario's simulated jobs keep
     * their counters as they go.
     */
    private static List<Scenario> scenarios() {
        List<Scenario> scenarios = new ArrayList<>();
        for (int c = 0; c < SKEWS.size(); c++) {
            scenarios.add(
                    Scenario.starting(Scenario.DEFAULT_START)
                            .length(minutes(40))
                            .cluster("a" + c)
                            .job("orders")
                            .job("payments")
                            .cluster("b" + c)
                            .job("billing")
                            .incident("orders", OUTAGE, minutes(10), minutes(16))
                            .incident(
                                    "billing",
                                    CHECKPOINT_FAILURES,
                                    c == BUFFERED ? minutes(8).plusSeconds(30) : minutes(5),
                                    minutes(20))
                            .build());
        }
        return scenarios;
    }

    /** Publishes every case to its partition, as a live fleet would, step by step. */
    private static void publish(EmbeddedKafka kafka, TestJobs topics, boolean skewed)
            throws Exception {
        List<Scenario> scenarios = scenarios();
        List<List<List<MetricSnapshot>>> steps = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            List<List<MetricSnapshot>> ofCase = new ArrayList<>();
            scenario.forEachStep(ofCase::add);
            steps.add(ofCase);
        }
        List<List<MetricSnapshot>> buffered = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int step = 0; step < steps.get(0).size(); step++) {
                for (int c = 0; c < scenarios.size(); c++) {
                    SnapshotPublisher partition =
                            SnapshotPublisher.toPartition(producer, topics.metricsTopic, c);
                    Scenario scenario = scenarios.get(c);
                    for (MetricSnapshot snapshot : steps.get(c).get(step)) {
                        boolean ofB = snapshot.cluster().startsWith("b");
                        if (!ofB) {
                            partition.publish(snapshot);
                        } else if (step >= B_STARTS_AT_STEP) {
                            MetricSnapshot stamped =
                                    skewed ? shifted(snapshot, SKEWS.get(c)) : snapshot;
                            long sinceStart =
                                    snapshot.timestamp() - scenario.start().toEpochMilli();
                            if (skewed
                                    && c == BUFFERED
                                    && sinceStart >= OUTAGE_FROM.toMillis()
                                    && sinceStart < OUTAGE_UNTIL.toMillis()) {
                                buffered.add(List.of(stamped));
                            } else {
                                if (c == BUFFERED) {
                                    // Kafka is back: the buffer goes first, in order.
                                    buffered.forEach(partition::publish);
                                    buffered.clear();
                                }
                                partition.publish(stamped);
                            }
                        }
                    }
                }
                producer.flush();
                if (skewed) {
                    Thread.sleep(STEP_EVERY_MS);
                }
            }
        }
    }

    private static List<String> summary(List<AlertEvent> events) {
        return events.stream()
                .map(
                        e ->
                                e.label("cluster")
                                        + "/"
                                        + e.label("job_name")
                                        + " "
                                        + e.alertname()
                                        + " "
                                        + e.status()
                                        + " +"
                                        + Duration.ofMillis(
                                                e.startsAt()
                                                        - Scenario.DEFAULT_START.toEpochMilli()))
                .toList();
    }

    /**
     * A snapshot as a cluster whose clock is off stamps it: its timestamp, and the timestamps among
     * its metrics (the JobManager's clock writes both).
     */
    private static MetricSnapshot shifted(MetricSnapshot snapshot, Duration skew) {
        Map<String, Double> metrics = new java.util.HashMap<>(snapshot.metrics());
        metrics.computeIfPresent(
                FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP,
                (name, value) -> value > 0 ? value + skew.toMillis() : value);
        return new MetricSnapshot(
                snapshot.timestamp() + skew.toMillis(),
                snapshot.cluster(),
                snapshot.job(),
                snapshot.scope(),
                metrics,
                snapshot.topology(),
                snapshot.external());
    }

    private static boolean everyReferenceAlertHasFired(List<AlertEvent> events) {
        for (AlertEvent want : firing(reference, e -> true)) {
            boolean skewedAway =
                    caseOf(want) == BEYOND_BOUND && want.label("cluster").startsWith("b");
            if (!skewedAway && events.stream().noneMatch(e -> sameAlertAs(e, want))) {
                return false;
            }
        }
        return events.stream().anyMatch(e -> e.alertname().equals("FlinkwatchClockSkew"));
    }

    private static List<AlertEvent> firing(List<AlertEvent> events, Predicate<AlertEvent> which) {
        return events.stream()
                .filter(e -> e.status() == AlertStatus.FIRING && which.test(e))
                .filter(e -> e.startsAt() <= newestReferenceAlert)
                .toList();
    }

    private static AlertEvent sameAlert(List<AlertEvent> events, AlertEvent want) {
        return events.stream()
                .filter(e -> sameAlertAs(e, want))
                .findFirst()
                .orElseThrow(() -> new AssertionError("never fired: " + want.labels()));
    }

    private static boolean sameAlertAs(AlertEvent event, AlertEvent want) {
        return event.status() == AlertStatus.FIRING && event.labels().equals(want.labels());
    }

    private static int caseOf(AlertEvent event) {
        return Integer.parseInt(event.label("cluster").substring(1));
    }

    private static DeadLetter deadLetter(byte[] json) {
        try {
            return DeadLetterJson.fromJson(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

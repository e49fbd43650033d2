package io.flinkwatch.testing.e2e;

import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.deadletter.DeadLetterJson;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One bad partition must not stall event time for everyone. Live (unbounded) Flinkwatch on a
 * MiniCluster reads a metrics topic of two partitions from a real broker: partition 0 carries a
 * simulated job that goes down; partition 1 carries, continuously and faster than the idleness
 * timeout, only records that can never move event time: junk that fails parsing, one valid snapshot
 * and then junk (a publisher that broke), or a stuck publisher re-sending one old snapshot, which
 * arrives late. FlinkJobNotRunning for the job on partition 0 must still fire at its event time,
 * within a bounded wall-clock time.
 *
 * <p>With parallelism 1 one source reader holds both partitions; with 2 each reader holds one, so
 * one subtask sees nothing but bad records. Before only accepted snapshots counted as partition
 * activity, every case stalled event time except junk alone on its own reader (parallelism 2): that
 * reader never emitted a watermark, and Flink's source then takes its idle main output for the
 * whole reader's idleness.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BadPartitionITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    private static final int GOOD = 0;
    private static final int BAD = 1;
    private static final String JOB = "orders-cdc";

    /** Wall clock per 10 s step of event time: 40× real time. */
    private static final long STEP_EVERY_MS = 250;

    /** Wall clock between two bad records: far below the idleness timeout. */
    private static final long BAD_EVERY_MS = 100;

    private static final Duration IDLENESS = Duration.ofSeconds(2);

    /** From the step that makes the alert decidable to the alert on the topic. */
    private static final Duration ALERT_WITHIN = Duration.ofSeconds(15);

    private static final byte[] JUNK =
            "{\"version\": 1, \"timestamp\": oops".getBytes(StandardCharsets.UTF_8);

    /** What the bad partition carries. */
    enum BadTraffic {
        /** Records that fail parsing: dead letters with no event time. */
        JUNK,
        /** One valid snapshot from the start of the scenario, then junk: a publisher that broke. */
        BROKEN,
        /**
         * A stuck publisher re-sending the same snapshot from an hour before the scenario: valid,
         * but behind event time.
         */
        LATE
    }

    private final EmbeddedKafka kafka = SharedKafka.broker();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, BadTraffic.JUNK),
                Arguments.of(1, BadTraffic.BROKEN),
                Arguments.of(1, BadTraffic.LATE),
                Arguments.of(2, BadTraffic.JUNK),
                Arguments.of(2, BadTraffic.BROKEN),
                Arguments.of(2, BadTraffic.LATE));
    }

    @ParameterizedTest(name = "parallelism {0}, {1} partition")
    @MethodSource("cases")
    void alertsFromTheGoodPartitionFireOnTime(int parallelism, BadTraffic bad) throws Exception {
        TestJobs topics = new TestJobs(kafka, 2);
        Scenario scenario =
                Scenario.starting(Scenario.DEFAULT_START)
                        .length(minutes(20))
                        .job(JOB)
                        .incident(JOB, IncidentKind.OUTAGE, minutes(2), null)
                        .build();
        List<List<MetricSnapshot>> steps = new ArrayList<>();
        scenario.forEachStep(steps::add);
        // Uptime is 0 from minute 2; held at every evaluation for 2 minutes: fires at minute 4.
        Instant firesAt = scenario.at(minutes(4));
        FlinkwatchConfig config =
                topics.config(
                        Map.of(
                                "parallelism",
                                Integer.toString(parallelism),
                                "watermark.idleness",
                                IDLENESS.toSeconds() + "s"));
        // The watermark passes that instant with the first snapshot more than out-of-orderness
        // beyond it: the alert cannot exist before that step is published.
        long decidable =
                firesAt.toEpochMilli()
                        + config.get(FlinkwatchParameters.OUT_OF_ORDERNESS).toMillis()
                        + 1;
        int decidableStep = firstStepAtOrAfter(steps, decidable);

        JobClient job =
                TestJobs.environment(config)
                        .executeAsync("bad partition " + bad + " p" + parallelism);
        ScheduledExecutorService publishers = Executors.newScheduledThreadPool(2);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer();
                KafkaConsumer<byte[], byte[]> alertReader =
                        kafka.committedReader("alerts-" + topics.alertsTopic)) {
            SnapshotPublisher good =
                    SnapshotPublisher.toPartition(producer, topics.metricsTopic, GOOD);
            SnapshotPublisher badPublisher =
                    SnapshotPublisher.toPartition(producer, topics.metricsTopic, BAD);

            // The bad partition goes first and never stops; the good one starts once Flinkwatch
            // reads.
            MetricSnapshot stale = badJobSnapshot(scenario.start().minus(Duration.ofHours(1)));
            if (bad == BadTraffic.BROKEN) {
                badPublisher.publish(badJobSnapshot(scenario.start()));
            }
            AtomicInteger badRecords = new AtomicInteger();
            publishers.scheduleAtFixedRate(
                    () -> {
                        if (bad == BadTraffic.LATE) {
                            badPublisher.publish(stale);
                        } else {
                            badPublisher.publishRaw("broken-publisher", JUNK);
                        }
                        badPublisher.flush();
                        badRecords.incrementAndGet();
                    },
                    0,
                    BAD_EVERY_MS,
                    TimeUnit.MILLISECONDS);
            awaitCommittedOffset(
                    config.get(FlinkwatchParameters.GROUP_ID), topics.metricsTopic, BAD, 1);

            AtomicInteger published = new AtomicInteger();
            AtomicLong decidablePublishedAt = new AtomicLong(Long.MAX_VALUE);
            publishers.scheduleAtFixedRate(
                    () -> {
                        int step = published.get();
                        if (step >= steps.size()) {
                            return;
                        }
                        if (step == decidableStep) {
                            decidablePublishedAt.set(System.nanoTime());
                        }
                        good.publish(steps.get(step));
                        good.flush();
                        published.incrementAndGet();
                    },
                    0,
                    STEP_EVERY_MS,
                    TimeUnit.MILLISECONDS);

            alertReader.subscribe(List.of(topics.alertsTopic));
            long deadline =
                    System.nanoTime()
                            + steps.size() * STEP_EVERY_MS * 1_000_000
                            + ALERT_WITHIN.toNanos();
            Optional<AlertEvent> fired = Optional.empty();
            long firedAt = 0;
            while (fired.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        alertReader.poll(Duration.ofMillis(200))) {
                    AlertEvent alert = TestJobs.parseAlert(record.value());
                    if (alert.alertname().equals("FlinkJobNotRunning")
                            && alert.status() == AlertStatus.FIRING
                            && JOB.equals(alert.labels().get("job_name"))) {
                        fired = Optional.of(alert);
                        firedAt = System.nanoTime();
                    }
                }
            }
            long badEndAtAlert = kafka.endOffsets(topics.metricsTopic).get(BAD);
            System.out.printf(
                    "[%s, parallelism %d] %d steps and %d bad records published; alert %s%n",
                    bad,
                    parallelism,
                    published.get(),
                    badRecords.get(),
                    fired.isPresent()
                            ? Duration.ofNanos(firedAt - decidablePublishedAt.get()).toMillis()
                                    + " ms after the step that made it decidable"
                            : "never came");

            assertThat(fired)
                    .as(
                            "FlinkJobNotRunning for %s (its partition %d healthy, partition %d %s only)",
                            JOB, GOOD, BAD, bad)
                    .isPresent();
            assertThat(Instant.ofEpochMilli(fired.get().startsAt())).isEqualTo(firesAt);
            assertThat(decidablePublishedAt.get())
                    .as("the alert came only after event time could pass it")
                    .isLessThan(firedAt);
            assertThat(Duration.ofNanos(firedAt - decidablePublishedAt.get()))
                    .isLessThan(ALERT_WITHIN);

            // Flinkwatch read the bad partition all along, up to where it was when the alert came.
            awaitCommittedOffset(
                    config.get(FlinkwatchParameters.GROUP_ID),
                    topics.metricsTopic,
                    BAD,
                    badEndAtAlert);
            if (bad != BadTraffic.LATE) {
                // Junk is dead-lettered. (Late snapshots are dead-lettered only where the router
                // sees the watermark of the good partition too, i.e. with parallelism 1.)
                List<DeadLetter> fromBad =
                        kafka
                                .readCommitted(
                                        topics.deadLetterTopic,
                                        Duration.ofSeconds(20),
                                        read -> read.size() >= 20)
                                .stream()
                                .map(BadPartitionITCase::deadLetter)
                                .filter(letter -> letter.partition() == BAD)
                                .toList();
                assertThat(fromBad).hasSizeGreaterThanOrEqualTo(20);
                assertThat(fromBad)
                        .extracting(DeadLetter::reason)
                        .containsOnly(RejectionReason.MALFORMED_JSON);
            }
        } finally {
            publishers.shutdownNow();
            publishers.awaitTermination(10, TimeUnit.SECONDS);
            job.cancel().get();
        }
    }

    /** A job snapshot of the job on the bad partition. */
    private static MetricSnapshot badJobSnapshot(Instant at) {
        return new MetricSnapshot(
                at.toEpochMilli(),
                Scenario.DEFAULT_CLUSTER,
                new JobRef("0000000000000000000000000000dead", "bad-publisher", "RUNNING", 60_000L),
                Scope.job(),
                Map.of(FlinkMetricNames.UPTIME, 3_600_000.0),
                null);
    }

    private static int firstStepAtOrAfter(List<List<MetricSnapshot>> steps, long timestamp) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).stream().anyMatch(s -> s.timestamp() >= timestamp)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no step reaches " + Instant.ofEpochMilli(timestamp));
    }

    /**
     * Waits until Flinkwatch has read (and committed, on a checkpoint) a partition up to {@code
     * offset}.
     */
    private void awaitCommittedOffset(String groupId, String topic, int partition, long offset)
            throws Exception {
        TopicPartition tp = new TopicPartition(topic, partition);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(groupId)
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                OffsetAndMetadata reached = committed.get(tp);
                if (reached != null && reached.offset() >= offset) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(
                "Flinkwatch did not read " + tp + " up to offset " + offset);
    }

    private static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
        try {
            return DeadLetterJson.fromJson(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.flinkwatch.testing.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.backtest.Recording;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that cannot keep up, live, on a real standalone cluster of each Flink line at once (2.2
 * and 1.20, see {@link SlowSinkIncident}): on each, two sample jobs at 500 records/s, one
 * checkpointing every 10 s and one every 3 minutes, whose sinks are throttled to a fifth of the
 * input until every job has paged, then released. Two Flinkwatch jobs with their default detection
 * parameters watch both clusters, one through the reporter plugin, one through the Prometheus
 * bridge. Each of the four jobs must page FlinkLagGrowing on both, within 6 minutes of its source
 * falling behind; with checkpoints every 3 minutes it must be the job's first page; and it must
 * resolve once the backlog drained (the resolve hold is shortened to 15 s, which only delays the
 * RESOLVED).
 *
 * <p>What the clusters published is written to {@code target/slow-sink-recordings/} (with the
 * ground truth and the schedule), in the form of the recordings that {@link
 * SlowSinkRecordingsITCase} replays on every build.
 */
class SlowSinkLagITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SlowSinkLagITCase.class);

    private static final String LAG = "FlinkLagGrowing";

    /** Enough for the sources' meters and lag to settle (the recordings warm up for 8 minutes). */
    private static final Duration WARM_UP = Duration.ofSeconds(30);

    private static final Map<String, Duration> JOBS =
            Map.of("orders-cp10s", Duration.ofSeconds(10), "orders-cp3m", Duration.ofMinutes(3));

    @RegisterExtension static final MiniClusterExtension FLINKWATCH = TestJobs.miniCluster();

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void aSinkThatCannotKeepUpPagesFlinkLagGrowingOnBothLinesThroughBothPublishers()
            throws Exception {
        Path out = Path.of("target", "slow-sink-recordings");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                Clusters both = Clusters.start(kafka)) {
            SlowSinkIncident flink22 = both.flink22;
            SlowSinkIncident flink120 = both.flink120;
            List<SlowSinkIncident> clusters = List.of(flink22, flink120);
            Map<String, String> alertsTopics =
                    Map.of(
                            "reporter", SlowSinkIncident.REPORTED,
                            "bridge", SlowSinkIncident.SCRAPED);
            List<JobClient> flinkwatch = new ArrayList<>();
            try {
                for (Map.Entry<String, String> publisher : alertsTopics.entrySet()) {
                    flinkwatch.add(
                            startFlinkwatch(
                                    kafka, publisher.getValue(), alerts(publisher.getKey())));
                }
                observe(clusters, WARM_UP);
                for (SlowSinkIncident cluster : clusters) {
                    cluster.throttle(SlowSinkIncident.ORDERS_PER_SECOND / 5);
                }
                long throttledAt = System.currentTimeMillis();
                // Every job pages on both paths; the clusters run on while Flinkwatch waits.
                awaitOnAll(
                        kafka,
                        clusters,
                        alertsTopics.keySet(),
                        e -> e.alertname().equals(LAG) && e.status() == AlertStatus.FIRING,
                        Duration.ofMinutes(8));
                for (SlowSinkIncident cluster : clusters) {
                    cluster.throttle(0);
                }
                long releasedAt = System.currentTimeMillis();
                awaitOnAll(
                        kafka,
                        clusters,
                        alertsTopics.keySet(),
                        e -> e.alertname().equals(LAG) && e.status() == AlertStatus.RESOLVED,
                        Duration.ofMinutes(4));

                for (SlowSinkIncident cluster : clusters) {
                    String line = cluster.line().slug();
                    Map<String, Path> files = cluster.record(out, line);
                    new SlowSinkIncident.Schedule(throttledAt, releasedAt, JOBS)
                            .write(out.resolve(line + "-schedule.properties"));
                    for (String publisher : alertsTopics.keySet()) {
                        check(
                                cluster,
                                publisher,
                                read(kafka, alerts(publisher)),
                                files.get(publisher),
                                throttledAt,
                                releasedAt);
                    }
                }
            } finally {
                for (JobClient job : flinkwatch) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Waits while sampling the clusters' ground truth. */
    private static void observe(List<SlowSinkIncident> clusters, Duration length) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            for (SlowSinkIncident cluster : clusters) {
                cluster.sampleTruth();
            }
            Thread.sleep(5_000);
        }
    }

    /**
     * Waits (sampling the ground truth) until every job of every cluster has an alert event that
     * {@code wanted} accepts on every publisher's alerts topic.
     */
    private static void awaitOnAll(
            EmbeddedKafka kafka,
            List<SlowSinkIncident> clusters,
            Iterable<String> publishers,
            Predicate<AlertEvent> wanted,
            Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> missing = new ArrayList<>();
        do {
            observe(clusters, Duration.ofSeconds(10));
            missing.clear();
            for (String publisher : publishers) {
                List<AlertEvent> events = read(kafka, alerts(publisher));
                for (SlowSinkIncident cluster : clusters) {
                    for (String job : JOBS.keySet()) {
                        boolean found =
                                events.stream()
                                        .filter(
                                                e ->
                                                        cluster.clusterName()
                                                                .equals(e.label("cluster")))
                                        .filter(e -> job.equals(e.label("job_name")))
                                        .anyMatch(wanted);
                        if (!found) {
                            missing.add(publisher + ": " + cluster.clusterName() + "/" + job);
                        }
                    }
                }
            }
        } while (!missing.isEmpty() && System.nanoTime() < deadline);
        assertThat(missing).as("jobs without the alert event within %s", timeout).isEmpty();
    }

    private static void check(
            SlowSinkIncident cluster,
            String publisher,
            List<AlertEvent> events,
            Path recording,
            long throttledAt,
            long releasedAt) {
        Map<String, Long> behind =
                SlowSinkIncident.behindSince(
                        new Recording(recording),
                        cluster.truth(),
                        throttledAt,
                        releasedAt,
                        2L * SlowSinkIncident.ORDERS_PER_SECOND);
        for (String job : JOBS.keySet()) {
            List<AlertEvent> ofJob =
                    events.stream()
                            .filter(e -> cluster.clusterName().equals(e.label("cluster")))
                            .filter(e -> job.equals(e.label("job_name")))
                            .toList();
            List<AlertEvent> lag = ofJob.stream().filter(e -> e.alertname().equals(LAG)).toList();
            List<AlertEvent> starts =
                    lag.stream().filter(e -> e.reason() == AlertReason.STARTED).toList();
            assertThat(starts).as("%s %s: one page", publisher, job).hasSize(1);
            AlertEvent started = starts.get(0);
            assertThat(behind).as("%s %s fell behind", publisher, job).containsKey(job);
            LOG.info(
                    "{} {} {}: source behind {} s after the throttle; FlinkLagGrowing at +{} s: {}",
                    cluster.line(),
                    publisher,
                    job,
                    (behind.get(job) - throttledAt) / 1000,
                    (started.startsAt() - throttledAt) / 1000,
                    started.annotations().get("summary"));
            assertThat(started.label("task_name")).isEqualTo("Source: orders");
            assertThat(started.evidence().facts())
                    .containsEntry("signal", FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);
            assertThat(started.startsAt() - behind.get(job))
                    .isBetween(0L, Duration.ofMinutes(6).toMillis());
            AlertEvent resolved =
                    lag.stream()
                            .filter(e -> e.status() == AlertStatus.RESOLVED)
                            .findFirst()
                            .orElseThrow();
            assertThat(resolved.endsAt()).isGreaterThanOrEqualTo(releasedAt);
            if (JOBS.get(job).compareTo(Duration.ofMinutes(1)) > 0) {
                AlertEvent firstPage =
                        ofJob.stream()
                                .filter(e -> e.severity() == Severity.CRITICAL)
                                .filter(e -> e.reason() == AlertReason.STARTED)
                                .min(Comparator.comparingLong(AlertEvent::startsAt))
                                .orElseThrow();
                assertThat(firstPage.alertname())
                        .as("%s %s first page", publisher, job)
                        .isEqualTo(LAG);
            }
        }
    }

    /** The two clusters, started side by side (each takes half a minute or more). */
    private record Clusters(SlowSinkIncident flink22, SlowSinkIncident flink120)
            implements AutoCloseable {

        static Clusters start(EmbeddedKafka kafka) throws Exception {
            CompletableFuture<SlowSinkIncident> flink120 =
                    CompletableFuture.supplyAsync(() -> start(FlinkLine.FLINK_1_20, kafka));
            SlowSinkIncident flink22;
            try {
                flink22 = start(FlinkLine.FLINK_2_2, kafka);
            } catch (RuntimeException e) {
                flink120.thenAccept(Clusters::closeQuietly);
                throw e;
            }
            try {
                return new Clusters(flink22, flink120.get(3, TimeUnit.MINUTES));
            } catch (Exception e) {
                closeQuietly(flink22);
                throw e;
            }
        }

        private static SlowSinkIncident start(FlinkLine line, EmbeddedKafka kafka) {
            try {
                return SlowSinkIncident.start(
                        line, kafka, Duration.ofSeconds(15), JOBS, "monitored");
            } catch (Exception e) {
                throw new IllegalStateException("starting the " + line + " cluster failed", e);
            }
        }

        private static void closeQuietly(SlowSinkIncident incident) {
            try {
                incident.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", incident.line(), e);
            }
        }

        @Override
        public void close() {
            closeQuietly(flink120);
            closeQuietly(flink22);
        }
    }

    private static String alerts(String publisher) {
        return "alerts-" + publisher;
    }

    private static JobClient startFlinkwatch(EmbeddedKafka kafka, String metrics, String alerts)
            throws Exception {
        kafka.createTopics(1, alerts, alerts + "-dead-letters");
        Map<String, String> parameters =
                TestJobs.flinkwatchParameters(kafka.bootstrapServers(), metrics, alerts);
        parameters.put("parallelism", "1");
        // Alerts become visible at each checkpoint; the hold only delays the RESOLVED.
        parameters.put("checkpoint.interval", "2s");
        parameters.put("lifecycle.resolve-hold", "15s");
        return TestJobs.environment(FlinkwatchConfig.fromMap(parameters))
                .executeAsync("flinkwatch " + alerts);
    }

    private static List<AlertEvent> read(EmbeddedKafka kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records =
                kafka.readCommitted(topic, Duration.ofSeconds(3), read -> false);
        return records.stream().map(r -> TestJobs.parseAlert(r.value())).toList();
    }
}

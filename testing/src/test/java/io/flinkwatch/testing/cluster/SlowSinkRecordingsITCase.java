package io.flinkwatch.testing.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.testing.backtest.PipelineReplay;
import io.flinkwatch.testing.backtest.Recording;
import io.flinkwatch.testing.cluster.SlowSinkIncident.Schedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings of real clusters whose sink could not keep up ({@link SlowSinkIncident}, on a Flink
 * 2.2 and a Flink 1.20 standalone cluster: two sample jobs at 500 records/s, one checkpointing
 * every 10 s, one every 3 minutes, their sink throttled to 100 records/s for 9 minutes, then
 * released), replayed through the whole job with its default parameters, so that the real shape of
 * those metrics (stale, stepped, bursty) is checked on every build. Each recording holds what one
 * publisher sent: the reporter plugin, the Prometheus bridge scraping Flink's Prometheus reporter,
 * and the consumer-group lag poller, every 15 s.
 *
 * <p>Under that backpressure the Kafka consumer fetches every few minutes, so its {@code
 * records-lag-max} and {@code pendingRecords} are stale and fall while the backlog grows; the
 * article's {@code deriv(records-lag-max[5m]) > 0} (mode {@code deriv}, Prometheus' semantics)
 * fires late or never, and before the source's lag in time was read, Flinkwatch's default never
 * fired on the Flink 2.2 recordings (docs/alerts.md has the timeline).
 */
class SlowSinkRecordingsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SlowSinkRecordingsITCase.class);

    private static final String LAG = "FlinkLagGrowing";
    private static final String SOURCE = "Source: orders";

    /** The job checkpointing every 3 minutes: its lag page must be its first critical one. */
    private static final String SLOW_CHECKPOINTS = "orders-cp3m";

    /** The source is behind once this many records (2 s of input) wait for it in Kafka. */
    private static final long BEHIND_RECORDS = 2 * SlowSinkIncident.ORDERS_PER_SECOND;

    @TempDir static Path dir;

    static Stream<Arguments> clustersAndPublishers() {
        return Stream.of("flink-2-2", "flink-1-20")
                .flatMap(
                        line ->
                                Stream.of(
                                        Arguments.of(line, "reporter"),
                                        Arguments.of(line, "bridge")));
    }

    @ParameterizedTest(name = "{0} through the {1}")
    @MethodSource("clustersAndPublishers")
    void aSinkThatCannotKeepUpRaisesFlinkLagGrowingBeforePrometheusAndHoldsItUntilTheBacklogDrains(
            String line, String publisher) throws Exception {
        Schedule schedule = schedule(line);
        Path recording = resource(line + "-" + publisher + ".jsonl.gz");
        List<AlertEvent> defaults;
        List<AlertEvent> article;
        try (PipelineReplay replay = load(recording)) {
            defaults = replay.run(Map.of(), "defaults").events();
            article = replay.run(Map.of("rule.lag-growing.mode", "deriv"), "deriv").events();
        }
        Map<String, Long> behindSince = behindSince(line, recording, schedule);

        for (String job : schedule.jobs().keySet()) {
            List<AlertEvent> lag = events(defaults, job, LAG);
            AlertEvent started = only(lag, AlertStatus.FIRING);
            long fellBehind = behindSince.get(job);
            Optional<AlertEvent> prometheus = first(events(article, job, LAG), AlertStatus.FIRING);
            LOG.info(
                    "{} {} {}: the source fell behind {} s after the throttle; FlinkLagGrowing at +{} s"
                            + " ({}), the article's rule at {}",
                    line,
                    publisher,
                    job,
                    (fellBehind - schedule.throttledAt()) / 1000,
                    (started.startsAt() - schedule.throttledAt()) / 1000,
                    started.annotations().get("summary"),
                    prometheus
                            .map(a -> "+" + (a.startsAt() - schedule.throttledAt()) / 1000 + " s")
                            .orElse("never"));

            assertThat(started.label("task_name")).isEqualTo(SOURCE);
            assertThat(started.evidence().facts())
                    .containsEntry("signal", FlinkMetricNames.CURRENT_EMIT_EVENT_TIME_LAG);
            assertThat(started.evidence().values().get("lagSeconds")).isGreaterThan(60.0);
            // Within 6 minutes of the source falling behind (the rule's 5 minutes, and a minute
            // to see it), and no later than Prometheus' rule on the same metrics.
            assertThat(started.startsAt() - fellBehind)
                    .isBetween(0L, Duration.ofMinutes(6).toMillis());
            prometheus.ifPresent(
                    rule -> assertThat(started.startsAt()).isLessThanOrEqualTo(rule.startsAt()));
            // Firing while the backlog grew, the whole throttle long; resolved once it drained.
            AlertEvent resolved = only(lag, AlertStatus.RESOLVED);
            assertThat(resolved.endsAt())
                    .isBetween(
                            schedule.releasedAt(),
                            schedule.releasedAt() + Duration.ofMinutes(2).toMillis());
            assertThat(lag.stream().filter(e -> e.reason() == AlertReason.STARTED).count())
                    .isEqualTo(1);
        }
        // With checkpoints every 3 minutes, the stuck checkpoints page later: the lag page is
        // first.
        assertThat(firstCriticalPage(defaults, SLOW_CHECKPOINTS).alertname()).isEqualTo(LAG);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flink-2-2", "flink-1-20"})
    void theLagPollerJudgesAGroupByItsCommitsAndPagesNoHealthyOne(String line) throws Exception {
        Schedule schedule = schedule(line);
        List<AlertEvent> events;
        try (PipelineReplay replay = load(resource(line + "-poller.jsonl.gz"))) {
            events = replay.run(Map.of(), "defaults").events();
        }
        // The groups' lag climbs with the log end between commits and drops at each: a healthy
        // job committing every 3 minutes is a sawtooth of 0 to 90,000 records, which, judged by
        // every sample, paged on the Flink 2.2 recording before the sink was throttled, and never
        // resolved. Judged by its commits it pages nothing.
        assertThat(events)
                .filteredOn(e -> e.alertname().equals(LAG))
                .allSatisfy(e -> assertThat(e.startsAt()).isGreaterThan(schedule.throttledAt()));
        // Committing every 10 s (every 3 minutes once its checkpoints waited behind the sink),
        // the group is seen falling behind, and the alert lasts until the backlog drained.
        List<AlertEvent> lag = events(events, "orders-cp10s", LAG);
        AlertEvent started = only(lag, AlertStatus.FIRING);
        LOG.info(
                "{} poller orders-cp10s: FlinkLagGrowing at +{} s ({})",
                line,
                (started.startsAt() - schedule.throttledAt()) / 1000,
                started.annotations().get("summary"));
        assertThat(started.label("task_name")).startsWith("Kafka consumer group ");
        AlertEvent resolved = only(lag, AlertStatus.RESOLVED);
        assertThat(resolved.endsAt()).isGreaterThanOrEqualTo(schedule.releasedAt());
    }

    private static PipelineReplay load(Path recording) throws Exception {
        return PipelineReplay.load(
                new Recording(recording),
                2,
                new SnapshotParser(SnapshotLimits.defaults(), Clock.systemUTC()));
    }

    private static Schedule schedule(String line) throws IOException {
        try (InputStream in = open(line + "-schedule.properties")) {
            return Schedule.read(in);
        }
    }

    /** The test resource copied to a file, as the backtest reads recordings. */
    private static Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = open(name)) {
                Files.copy(in, file);
            }
        }
        return file;
    }

    private static InputStream open(String name) {
        InputStream in =
                SlowSinkRecordingsITCase.class.getResourceAsStream("/recordings/slow-sink/" + name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("no test resource " + name));
        }
        return in;
    }

    private static Map<String, Long> behindSince(String line, Path recording, Schedule schedule)
            throws IOException {
        List<SlowSinkIncident.TruthSample> truth;
        try (InputStream in = open(line + "-truth.csv")) {
            truth = SlowSinkIncident.readTruth(in);
        }
        Map<String, Long> behind =
                SlowSinkIncident.behindSince(
                        new Recording(recording),
                        truth,
                        schedule.throttledAt(),
                        schedule.releasedAt(),
                        BEHIND_RECORDS);
        assertThat(behind).containsOnlyKeys(schedule.jobs().keySet());
        return behind;
    }

    private static List<AlertEvent> events(List<AlertEvent> all, String job, String alertname) {
        List<AlertEvent> events = new ArrayList<>();
        for (AlertEvent event : all) {
            if (event.alertname().equals(alertname) && job.equals(event.label("job_name"))) {
                events.add(event);
            }
        }
        return events;
    }

    private static Optional<AlertEvent> first(List<AlertEvent> events, AlertStatus status) {
        return events.stream()
                .filter(e -> e.status() == status)
                .min(Comparator.comparingLong(AlertEvent::eventTime));
    }

    private static AlertEvent only(List<AlertEvent> events, AlertStatus status) {
        List<AlertEvent> matching = events.stream().filter(e -> e.status() == status).toList();
        assertThat(matching).as("%s events among %s", status, events).hasSize(1);
        return matching.get(0);
    }

    private static AlertEvent firstCriticalPage(List<AlertEvent> events, String job) {
        return events.stream()
                .filter(e -> job.equals(e.label("job_name")))
                .filter(e -> e.severity() == Severity.CRITICAL)
                .filter(e -> e.reason() == AlertReason.STARTED)
                .min(Comparator.comparingLong(AlertEvent::startsAt))
                .orElseThrow();
    }
}

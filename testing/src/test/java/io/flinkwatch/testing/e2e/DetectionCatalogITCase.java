package io.flinkwatch.testing.e2e;

import static io.flinkwatch.testing.scenario.IncidentKind.ALIGNMENT_SKEW;
import static io.flinkwatch.testing.scenario.IncidentKind.CHECKPOINT_FAILURES;
import static io.flinkwatch.testing.scenario.IncidentKind.CHECKPOINT_SLOWDOWN;
import static io.flinkwatch.testing.scenario.IncidentKind.CHECKPOINT_TOO_SLOW;
import static io.flinkwatch.testing.scenario.IncidentKind.COMPACTION_PENDING;
import static io.flinkwatch.testing.scenario.IncidentKind.LAG_GROWTH;
import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.IncidentKind.RESTART;
import static io.flinkwatch.testing.scenario.IncidentKind.RESUBMIT;
import static io.flinkwatch.testing.scenario.IncidentKind.SILENCE;
import static io.flinkwatch.testing.scenario.IncidentKind.SINK_THROTTLED;
import static io.flinkwatch.testing.scenario.IncidentKind.STATE_LEAK;
import static io.flinkwatch.testing.scenario.IncidentKind.SUBTASK_STALL;
import static io.flinkwatch.testing.scenario.IncidentKind.TRAFFIC_DROP;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.scenario.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every alert of the catalog end to end: three hours of seven simulated jobs, each with scripted
 * incidents, replayed from a real broker through Flinkwatch on a MiniCluster. Each test checks one
 * job's alerts on the alerts topic (read_committed): what fired, when, with what evidence, and that
 * it resolved when the incident ended. The healthy job and the job that only restarts fire nothing
 * but what they must.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DetectionCatalogITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(180))
                    .job("healthy")
                    .job("checkpoints")
                    .incident("checkpoints", CHECKPOINT_FAILURES, minutes(40), minutes(60))
                    .incident("checkpoints", COMPACTION_PENDING, minutes(80), minutes(100))
                    .incident("checkpoints", ALIGNMENT_SKEW, minutes(110), minutes(130), 0.8)
                    .incident("checkpoints", CHECKPOINT_TOO_SLOW, minutes(140), minutes(160), 1.5)
                    .job("pressure")
                    .incident("pressure", SINK_THROTTLED, minutes(40), minutes(70), 0.6)
                    .incident("pressure", LAG_GROWTH, minutes(100), minutes(130), 100)
                    .job("trends")
                    .incident("trends", CHECKPOINT_SLOWDOWN, minutes(20), minutes(120), 200)
                    .incident("trends", STATE_LEAK, minutes(20), minutes(150), 5000)
                    .job("traffic")
                    .incident("traffic", TRAFFIC_DROP, minutes(100), minutes(140), 0.3)
                    .incident("traffic", SUBTASK_STALL, minutes(150), minutes(170))
                    .job("restarts")
                    .incident("restarts", RESTART, minutes(40), null)
                    .incident("restarts", RESUBMIT, minutes(80), null)
                    .incident("restarts", OUTAGE, minutes(120), minutes(123))
                    .job("silent")
                    .incident("silent", SILENCE, minutes(100), null)
                    .build();

    private static List<AlertEvent> alerts;

    @BeforeAll
    static void replayTheScenario() throws Exception {
        alerts =
                new TestJobs(SharedKafka.broker(), 4)
                        .replay(
                                SCENARIO,
                                // Three hours of history cannot hold a day of it.
                                Map.of("rule.throughput-drop.min-history", "1h"));
    }

    @Test
    void aHealthyJobRaisesNothing() {
        assertThat(of("healthy")).isEmpty();
    }

    @Test
    void restartsAndAResubmissionRaiseOnlyTheOutage() {
        assertThat(of("restarts"))
                .extracting(AlertEvent::alertname, AlertEvent::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "FlinkJobNotRunning", AlertStatus.FIRING),
                        org.assertj.core.groups.Tuple.tuple(
                                "FlinkJobNotRunning", AlertStatus.RESOLVED));
        AlertEvent down = firing("restarts", "FlinkJobNotRunning").get(0);
        assertThat(at(down)).isEqualTo(minutes(122));
    }

    @Test
    void failingCheckpointsFireFailuresNoRecentCheckpointAndCommitLag() {
        AlertEvent failures = only("checkpoints", "FlinkCheckpointFailures");
        // Failures every minute from 40m: increase > 0 from the first failure, held for 10 minutes.
        assertThat(at(failures)).isBetween(minutes(50), minutes(51));
        assertThat(failures.evidence().values().get("failedCheckpointsIncrease")).isGreaterThan(5);
        assertResolvedBetween(failures, minutes(60), minutes(71));

        AlertEvent stale = only("checkpoints", "FlinkNoRecentCheckpoint");
        // The last completed checkpoint before 40m was at 39m: three 60 s intervals later.
        assertThat(at(stale)).isBetween(minutes(42), minutes(43));
        assertResolvedBetween(stale, minutes(60), minutes(61));

        List<AlertEvent> commitLag = firing("checkpoints", "FlinkCommitLagGrowing");
        assertThat(commitLag).hasSize(2);
        // Offsets were last committed by the checkpoint at 39m; the gap passes two minutes of
        // consumption at 41m and must then grow for five minutes.
        assertThat(commitLag)
                .allSatisfy(a -> assertThat(at(a)).isBetween(minutes(45), minutes(47)));
    }

    @Test
    void pendingCompactionsFirePerStatefulSubtask() {
        List<AlertEvent> compaction = firing("checkpoints", "FlinkRocksDbCompactionPending");
        assertThat(compaction).hasSize(2);
        assertThat(compaction)
                .allSatisfy(
                        a -> {
                            assertThat(at(a)).isBetween(minutes(95), minutes(96));
                            assertThat(a.labels()).containsEntry("operator_name", "enrich");
                        });
    }

    @Test
    void skewedAlignmentFiresOnce() {
        AlertEvent alignment = only("checkpoints", "FlinkCheckpointAlignmentHigh");
        assertThat(at(alignment)).isBetween(minutes(120), minutes(122));
        assertThat(alignment.evidence().facts()).containsEntry("slowestVertex", "Map: enrich");
        assertResolvedBetween(alignment, minutes(130), minutes(132));
    }

    @Test
    void checkpointsSlowerThanTheIntervalFire() {
        AlertEvent slow = only("checkpoints", "FlinkCheckpointDurationExceedsInterval");
        assertThat(at(slow)).isBetween(minutes(145), minutes(147));
        assertThat(slow.evidence().values().get("lastCheckpointDurationMs")).isEqualTo(90_000.0);
    }

    @Test
    void aThrottledSinkIsNamedAsTheBottleneckAndTheLagGrows() {
        List<AlertEvent> backpressure = firing("pressure", "FlinkHighBackpressure");
        assertThat(backpressure).hasSize(2);
        assertThat(backpressure)
                .allSatisfy(
                        a -> {
                            assertThat(a.labels()).containsEntry("task_name", "Sink: warehouse");
                            assertThat(a.evidence().facts())
                                    .containsEntry("bottleneck", "Sink: warehouse")
                                    .containsEntry(
                                            "backpressuredUpstream", "Source: orders, Map: enrich");
                            assertThat(at(a)).isBetween(minutes(50), minutes(51));
                            assertResolvedBetween(a, minutes(70), minutes(71));
                        });

        List<AlertEvent> lag = firing("pressure", "FlinkLagGrowing");
        // The throttled sink (40m) and the lag incident (100m), on both source subtasks.
        assertThat(lag).hasSize(4);
        assertThat(lag)
                .filteredOn(a -> at(a).compareTo(minutes(90)) < 0)
                .allSatisfy(
                        a -> {
                            assertThat(at(a)).isBetween(minutes(45), minutes(46));
                            assertThat(a.evidence().values())
                                    .containsKeys(
                                            "lagSeconds", "recordsLagMax", "lagSlopePerSecond");
                        });
        assertThat(lag)
                .filteredOn(a -> at(a).compareTo(minutes(90)) > 0)
                .allSatisfy(a -> assertThat(at(a)).isBetween(minutes(105), minutes(106)));
        assertThat(of("pressure"))
                .extracting(AlertEvent::alertname)
                .doesNotContain("FlinkThroughputDrop");
    }

    @Test
    void risingCheckpointDurationAndStateFireAfterTheirLongDurations() {
        AlertEvent duration = only("trends", "FlinkCheckpointDurationIncreasing");
        // Rising from 20m by 200 ms/min through a ±10 % seven-minute wave: the plain slope is
        // positive from about 21m (helped by the wave), the rise stands out of the wave from
        // about 25m (docs/alerts.md, trends), and either must hold for 30 minutes.
        assertThat(at(duration)).isBetween(minutes(50), minutes(56));
        assertThat(duration.evidence().values().get("slopeMsPerMinute")).isBetween(150.0, 250.0);
        assertResolvedBetween(duration, minutes(120), minutes(123));

        AlertEvent state = only("trends", "FlinkStateSizeGrowing");
        // 5000 B/s from 20m: the one-hour slope passes 1024 B/s within minutes, then must hold an
        // hour.
        assertThat(at(state)).isBetween(minutes(80), minutes(100));
        assertThat(state.evidence().values().get("growthBytesPerSecond")).isGreaterThan(1024);
    }

    @Test
    void aTrafficDropFiresOnTheSourceAndAStalledSubtaskIsFound() {
        AlertEvent drop = only("traffic", "FlinkThroughputDrop");
        assertThat(drop.labels()).containsEntry("task_name", "Source: orders");
        assertThat(at(drop)).isBetween(minutes(115), minutes(116));
        assertThat(drop.evidence().values().get("ratioToBaseline")).isBetween(0.25, 0.35);
        assertResolvedBetween(drop, minutes(140), minutes(141));

        AlertEvent stalled = only("traffic", "FlinkSubtaskStalled");
        assertThat(stalled.labels())
                .containsEntry("task_name", "Map: enrich")
                .containsEntry("subtask_index", "0");
        assertThat(at(stalled)).isBetween(minutes(155), minutes(156));
        assertResolvedBetween(stalled, minutes(170), minutes(171));
    }

    @Test
    void aSilentJobIsMissedWhileOthersSpeak() {
        AlertEvent absent = only("silent", "FlinkMetricsAbsent");
        assertThat(at(absent)).isBetween(minutes(101), minutes(102));
        assertThat(of("silent"))
                .extracting(AlertEvent::alertname)
                .containsOnly("FlinkMetricsAbsent");
    }

    @Test
    void everyAlertHasTheArticlesRunbookAndAFingerprintSharedByItsResolution() {
        assertThat(alerts).isNotEmpty();
        for (AlertEvent event : alerts) {
            assertThat(event.annotations().get("runbook")).startsWith("1. ");
            assertThat(event.annotations().get("summary")).isNotBlank();
            if (event.status() == AlertStatus.RESOLVED) {
                assertThat(alerts)
                        .anyMatch(
                                a ->
                                        a.status() == AlertStatus.FIRING
                                                && a.fingerprint().equals(event.fingerprint())
                                                && a.startsAt() == event.startsAt());
            }
        }
    }

    private static List<AlertEvent> of(String job) {
        return alerts.stream().filter(a -> job.equals(a.label("job_name"))).toList();
    }

    private static List<AlertEvent> firing(String job, String alert) {
        return of(job).stream()
                .filter(a -> a.alertname().equals(alert) && a.status() == AlertStatus.FIRING)
                .toList();
    }

    private static AlertEvent only(String job, String alert) {
        List<AlertEvent> firing = firing(job, alert);
        assertThat(firing).as("%s FIRING for %s in %s", alert, job, of(job)).hasSize(1);
        return firing.get(0);
    }

    private static void assertResolvedBetween(AlertEvent firing, Duration from, Duration to) {
        List<AlertEvent> resolved =
                alerts.stream()
                        .filter(
                                a ->
                                        a.status() == AlertStatus.RESOLVED
                                                && a.fingerprint().equals(firing.fingerprint()))
                        .toList();
        assertThat(resolved).as("RESOLVED of %s", firing).hasSize(1);
        assertThat(Duration.ofMillis(resolved.get(0).endsAt() - SCENARIO.start().toEpochMilli()))
                .isBetween(from, to);
    }

    private static Duration at(AlertEvent event) {
        return Duration.between(SCENARIO.start(), Instant.ofEpochMilli(event.startsAt()));
    }
}

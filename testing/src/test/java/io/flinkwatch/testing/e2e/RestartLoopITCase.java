package io.flinkwatch.testing.e2e;

import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.IncidentKind.RESTART;
import static io.flinkwatch.testing.scenario.IncidentKind.RESUBMIT;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.scenario.Scenario;
import io.flinkwatch.testing.scenario.SimulatedJob;
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
 * FlinkJobRestartLoop end to end: 100 minutes of simulated jobs that restart, replayed from a real
 * broker through Flinkwatch on a MiniCluster, under the defaults (3 restarts within 30 minutes,
 * FlinkJobNotRunning after 2 minutes, a 5-minute resolve hold).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RestartLoopITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final String LOOP = "FlinkJobRestartLoop";
    static final String DOWN = "FlinkJobNotRunning";
    static final String NAMESAKE = "Flink Streaming Job";

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(100))
                    // Three one-minute outages: each too short for FlinkJobNotRunning.
                    .job("crashloop")
                    .incident("crashloop", OUTAGE, minutes(20), minutes(21))
                    .incident("crashloop", OUTAGE, minutes(30), minutes(31))
                    .incident("crashloop", OUTAGE, minutes(40), minutes(41))
                    // Three restarts no status sample caught (numRestarts grows), then ten minutes
                    // down, which FlinkJobNotRunning would page for.
                    .job("unseen")
                    .incident("unseen", RESTART, minutes(20), null)
                    .incident("unseen", RESTART, minutes(25), null)
                    .incident("unseen", RESTART, minutes(30), null)
                    .incident("unseen", OUTAGE, minutes(40), minutes(50))
                    // A restart, a resubmission (its counter starts at 0 again), a restart.
                    .job("resubmitted")
                    .incident("resubmitted", RESTART, minutes(20), null)
                    .incident("resubmitted", RESUBMIT, minutes(30), null)
                    .incident("resubmitted", RESTART, minutes(40), null)
                    // Two jobs of one name at once; only one of them loops.
                    .job("looping-twin", NAMESAKE)
                    .job("calm-twin", NAMESAKE)
                    .incident("looping-twin", OUTAGE, minutes(20), minutes(21))
                    .incident("looping-twin", OUTAGE, minutes(25), minutes(26))
                    .incident("looping-twin", OUTAGE, minutes(30), minutes(31))
                    .build();

    private static List<AlertEvent> alerts;

    @BeforeAll
    static void replayTheScenario() throws Exception {
        alerts = new TestJobs(SharedKafka.broker(), 4).replay(SCENARIO, Map.of());
    }

    @Test
    void outagesTooShortForNotRunningFireTheLoopAtTheThirdRestart() {
        AlertEvent loop = only("crashloop", LOOP);
        // The job runs again after each outage: at 21, 31 and 41 minutes.
        assertThat(at(loop)).isEqualTo(minutes(41));
        assertThat(loop.severity().label()).isEqualTo("critical");
        assertThat(loop.evidence().facts().get("restartTimes"))
                .isEqualTo(
                        String.join(
                                ", ",
                                instant(minutes(21)),
                                instant(minutes(31)),
                                instant(minutes(41))));
        assertThat(loop.evidence().values().get("longestOutageMs")).isBetween(60_000.0, 70_000.0);
        assertThat(loop.evidence().facts())
                .containsEntry("lastFailureCause", SimulatedJob.OUTAGE_CAUSE);
        assertThat(loop.annotations().get("description")).contains(SimulatedJob.OUTAGE_CAUSE);
        assertThat(loop.annotations().get("runbook")).contains("exception history");
        // Resolved when the job had gone 30 minutes without a restart.
        AlertEvent resolved = resolved(loop);
        assertThat(Duration.ofMillis(resolved.endsAt() - start())).isEqualTo(minutes(71));
        assertThat(of("crashloop")).extracting(AlertEvent::alertname).doesNotContain(DOWN);
    }

    @Test
    void restartsSeenOnlyInTheCounterLoopTooAndTheLoopSilencesTheDowntimeAfterIt() {
        AlertEvent loop = only("unseen", LOOP);
        assertThat(at(loop)).isEqualTo(minutes(30));
        assertThat(loop.evidence().values()).doesNotContainKey("longestOutageMs");
        // The ten minutes down from 40 are FlinkJobNotRunning's, inhibited: one page, not two.
        assertThat(of("unseen")).extracting(AlertEvent::alertname).doesNotContain(DOWN);
        // The restart at 50 (the job runs again) kept the loop going until 80.
        assertThat(Duration.ofMillis(resolved(loop).endsAt() - start())).isEqualTo(minutes(80));
    }

    @Test
    void aResubmissionIsNoRestart() {
        assertThat(of("resubmitted")).extracting(AlertEvent::alertname).doesNotContain(LOOP);
    }

    @Test
    void aLoopingNamesakeFiresForItsOwnJobIdOnly() {
        SimulatedJob looping = job("looping-twin");
        List<AlertEvent> loops =
                of(NAMESAKE).stream()
                        .filter(a -> a.alertname().equals(LOOP) && a.status() == AlertStatus.FIRING)
                        .toList();
        assertThat(loops).hasSize(1);
        assertThat(loops.get(0).labels()).containsEntry("job_id", looping.jobId());
        assertThat(at(loops.get(0))).isEqualTo(minutes(31));
    }

    private static SimulatedJob job(String handle) {
        return SCENARIO.jobs().stream().filter(j -> j.handle().equals(handle)).findFirst().get();
    }

    private static List<AlertEvent> of(String job) {
        return alerts.stream().filter(a -> job.equals(a.label("job_name"))).toList();
    }

    private static AlertEvent only(String job, String alert) {
        List<AlertEvent> firing =
                of(job).stream()
                        .filter(
                                a ->
                                        a.alertname().equals(alert)
                                                && a.status() == AlertStatus.FIRING)
                        .toList();
        assertThat(firing).as("%s FIRING for %s in %s", alert, job, of(job)).hasSize(1);
        return firing.get(0);
    }

    private static AlertEvent resolved(AlertEvent firing) {
        List<AlertEvent> resolved =
                alerts.stream()
                        .filter(
                                a ->
                                        a.status() == AlertStatus.RESOLVED
                                                && a.fingerprint().equals(firing.fingerprint()))
                        .toList();
        assertThat(resolved).as("RESOLVED of %s", firing).hasSize(1);
        return resolved.get(0);
    }

    private static long start() {
        return SCENARIO.start().toEpochMilli();
    }

    private static String instant(Duration sinceStart) {
        return SCENARIO.start().plus(sinceStart).toString();
    }

    private static Duration at(AlertEvent event) {
        return Duration.between(SCENARIO.start(), Instant.ofEpochMilli(event.startsAt()));
    }
}

package io.flinkwatch.job.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.job.detection.rules.ClusterMetricsAbsent;
import io.flinkwatch.job.detection.rules.InputSilent;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SilenceGateTest {

    static final MetricsAbsent ABSENT = new MetricsAbsent(Duration.ofMinutes(2));
    static final long WINDOW = 30_000;
    static final long AFTER = 120_000;
    static final SilenceGate.Settings SETTINGS =
            new SilenceGate.Settings(
                    new InputSilent(3), new ClusterMetricsAbsent(), WINDOW, AFTER, 3);

    private final SilenceGate gate = new SilenceGate();
    private final List<Long> deadlines = new ArrayList<>();

    @Test
    void aLoneSilentJobPagesOneWindowLateWithItsTrueStart() {
        gate.noteOrigin("prod", "orders", "metrics", 0);
        gate.noteOrigin("prod", "billing", "metrics", 1);
        AlertSignal fire = fire("prod", "orders", 600_000, false);

        assertThat(accept(fire, 600_000, false)).isEmpty();
        assertThat(deadlines).containsExactly(600_000 + WINDOW);
        assertThat(gate.decide(600_000 + WINDOW - 1, false, SETTINGS)).isEmpty();

        List<AlertSignal> decided = gate.decide(600_000 + WINDOW, false, SETTINGS);
        assertThat(decided).containsExactly(fire);
    }

    @Test
    void aJobWhoseSnapshotsReturnWithinTheWindowPagesForNothing() {
        gate.noteOrigin("prod", "orders", "metrics", 0);
        accept(fire("prod", "orders", 600_000, false), 600_000, false);

        assertThat(accept(resolve("prod", "orders", 610_000, false), 610_000, false)).isEmpty();
        assertThat(gate.decide(600_000 + WINDOW, false, SETTINGS)).isEmpty();
    }

    @Test
    void jobsOfSeveralClustersSilentTogetherMakeOneInputAlertAndNoJobPages() {
        for (int i = 0; i < 6; i++) {
            gate.noteOrigin("cluster-" + (i % 3), "job-" + i, "metrics", i % 2);
            // The wall clock notices them within a publish interval of each other.
            accept(fire("cluster-" + (i % 3), "job-" + i, 600_000 + i, true), 1_000 + i, true);
        }

        List<AlertSignal> decided = gate.decide(1_000 + WINDOW, true, SETTINGS);

        assertThat(decided)
                .extracting(AlertSignal::rule, AlertSignal::kind)
                .containsExactly(tuple(InputSilent.NAME, AlertSignal.Kind.FIRE));
        AlertSignal input = decided.get(0);
        assertThat(input.immediate()).isTrue();
        assertThat(input.activeSince()).isEqualTo(600_000);
        assertThat(input.evidence().values()).containsEntry("silentJobs", 6.0);
        assertThat(input.evidence().facts())
                .containsEntry("clusters", "cluster-0, cluster-1, cluster-2")
                .containsEntry("partitions", "metrics/0, metrics/1");
        // Another job falling silent while it fires is held too.
        assertThat(accept(fire("cluster-9", "late", 650_000, true), 50_000, true)).isEmpty();
        assertThat(gate.decide(50_000 + WINDOW, true, SETTINGS)).isEmpty();
    }

    @Test
    void whenTheInputReturnsAJobStillSilentGetsItsOwnPageWithItsTrueStart() {
        for (int i = 0; i < 6; i++) {
            gate.noteOrigin("cluster-" + (i % 3), "job-" + i, "metrics", i % 2);
            accept(fire("cluster-" + (i % 3), "job-" + i, 600_000, true), 1_000, true);
        }
        AlertSignal input = gate.decide(1_000 + WINDOW, true, SETTINGS).get(0);

        // Back after three minutes (event time again): five jobs return, job-5 does not.
        deadlines.clear();
        for (int i = 0; i < 5; i++) {
            assertThat(
                            accept(
                                    resolve("cluster-" + (i % 3), "job-" + i, 780_000, false),
                                    780_000,
                                    false))
                    .isEmpty();
        }
        assertThat(deadlines).containsExactly(780_000 + AFTER);

        List<AlertSignal> decided = gate.decide(780_000 + AFTER, false, SETTINGS);
        assertThat(decided)
                .extracting(AlertSignal::rule, AlertSignal::kind, s -> s.labels().get("job_name"))
                .containsExactly(
                        tuple(InputSilent.NAME, AlertSignal.Kind.RESOLVE, null),
                        tuple(MetricsAbsent.NAME, AlertSignal.Kind.FIRE, "job-5"));
        assertThat(decided.get(0).fingerprint()).isEqualTo(input.fingerprint());
        assertThat(decided.get(1).timestamp()).isEqualTo(600_000);
        assertThat(gate.groups).isEmpty();
    }

    @Test
    void everyJobOfOneClusterSilentTogetherMakesOneClusterAlert() {
        for (String job : List.of("a1", "a2", "a3")) {
            gate.noteOrigin("prod-a", job, "metrics", 0);
        }
        gate.noteOrigin("prod-b", "b1", "metrics", 0);
        accept(fire("prod-a", "a1", 600_000, false), 600_000, false);
        accept(fire("prod-a", "a2", 605_000, false), 605_000, false);
        accept(fire("prod-a", "a3", 610_000, false), 610_000, false);

        List<AlertSignal> decided = gate.decide(600_000 + WINDOW, false, SETTINGS);

        assertThat(decided)
                .extracting(AlertSignal::rule, s -> s.labels().get(AlertLabels.CLUSTER))
                .containsExactly(tuple(ClusterMetricsAbsent.NAME, "prod-a"));
        assertThat(decided.get(0).evidence().facts()).containsEntry("jobs", "a1, a2, a3");
        assertThat(decided.get(0).activeSince()).isEqualTo(600_000);
    }

    @Test
    void someJobsOfAClusterSilentTogetherPageOneByOne() {
        for (String job : List.of("a1", "a2", "a3")) {
            gate.noteOrigin("prod-a", job, "metrics", 0);
        }
        accept(fire("prod-a", "a1", 600_000, false), 600_000, false);
        accept(fire("prod-a", "a2", 600_000, false), 600_000, false);

        assertThat(gate.decide(600_000 + WINDOW, false, SETTINGS))
                .extracting(AlertSignal::rule, s -> s.labels().get("job_name"))
                .containsExactlyInAnyOrder(
                        tuple(MetricsAbsent.NAME, "a1"), tuple(MetricsAbsent.NAME, "a2"));
    }

    @Test
    void fewerJobsThanTheMinimumOnTwoClustersPageOneByOne() {
        gate.noteOrigin("prod-a", "a1", "metrics", 0);
        gate.noteOrigin("prod-a", "a2", "metrics", 0);
        gate.noteOrigin("prod-b", "b1", "metrics", 0);
        gate.noteOrigin("prod-b", "b2", "metrics", 0);
        accept(fire("prod-a", "a1", 600_000, false), 600_000, false);
        accept(fire("prod-b", "b1", 600_000, false), 600_000, false);

        assertThat(gate.decide(600_000 + WINDOW, false, SETTINGS))
                .extracting(AlertSignal::rule)
                .containsExactly(MetricsAbsent.NAME, MetricsAbsent.NAME);
    }

    @Test
    void aJobRetiredWithinItsWindowIsToldAbsentFirst() {
        gate.noteOrigin("prod", "orders", "metrics", 0);
        AlertSignal fire = fire("prod", "orders", 600_000, false);
        accept(fire, 600_000, false);
        AlertSignal retire =
                new AlertSignal(
                        AlertSignal.Kind.RETIRE,
                        ABSENT.name(),
                        fire.fingerprint(),
                        900_000_000,
                        900_000_000,
                        fire.labels(),
                        fire.jobId(),
                        Evidence.none(),
                        false);

        assertThat(accept(retire, 900_000_000, false)).containsExactly(fire, retire);
        assertThat(gate.decide(600_000 + WINDOW, false, SETTINGS)).isEmpty();
        assertThat(gate.origins).isEmpty();
    }

    @Test
    void aNamesakeRunsOwnAbsencePassesStraightThrough() {
        Map<String, String> labels =
                new java.util.TreeMap<>(AlertInstances.job(ABSENT, "prod", "orders"));
        labels.put(AlertLabels.JOB_ID, "run-2");
        AlertSignal run =
                new AlertSignal(
                        AlertSignal.Kind.FIRE,
                        ABSENT.name(),
                        Fingerprint.of(labels),
                        600_000,
                        600_000,
                        labels,
                        "run-2",
                        Evidence.none(),
                        false);

        assertThat(accept(run, 600_000, false)).containsExactly(run);
    }

    private List<AlertSignal> accept(AlertSignal signal, long now, boolean wallClock) {
        return gate.accept(signal, now, wallClock, SETTINGS, deadlines);
    }

    static AlertSignal fire(String cluster, String job, long at, boolean wallClock) {
        return signal(AlertSignal.Kind.FIRE, cluster, job, at, wallClock);
    }

    static AlertSignal resolve(String cluster, String job, long at, boolean wallClock) {
        return signal(AlertSignal.Kind.RESOLVE, cluster, job, at, wallClock);
    }

    private static AlertSignal signal(
            AlertSignal.Kind kind, String cluster, String job, long at, boolean wallClock) {
        Map<String, String> labels = AlertInstances.job(ABSENT, cluster, job);
        return new AlertSignal(
                kind,
                ABSENT.name(),
                Fingerprint.of(labels),
                at,
                at,
                labels,
                "id-" + job,
                Evidence.none(),
                wallClock);
    }
}

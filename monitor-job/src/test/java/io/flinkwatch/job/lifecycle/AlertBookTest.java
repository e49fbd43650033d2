package io.flinkwatch.job.lifecycle;

import static io.flinkwatch.alerts.event.AlertReason.REPEATED;
import static io.flinkwatch.alerts.event.AlertReason.RESOLVED;
import static io.flinkwatch.alerts.event.AlertReason.STARTED;
import static io.flinkwatch.alerts.event.AlertReason.SUPPRESSED;
import static io.flinkwatch.alerts.event.AlertReason.UNSUPPRESSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.InhibitingAlert;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.detection.AlertCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AlertBookTest {

    static final AlertCatalog CATALOG = AlertCatalog.from(FlinkwatchConfig.defaults());
    static final AlertGrouping GROUPING = new AlertGrouping(List.of("cluster", "job_name"));
    static final LifecyclePolicy PLAIN = LifecyclePolicy.plain(GROUPING);
    static final LifecyclePolicy DEFAULTS =
            io.flinkwatch.job.FlinkwatchPipeline.lifecyclePolicy(FlinkwatchConfig.defaults());

    static final String DOWN = "FlinkJobNotRunning";
    static final String LOOP = "FlinkJobRestartLoop";
    static final String FAILURES = "FlinkCheckpointFailures";
    static final String LAG = "FlinkLagGrowing";
    static final String BACKPRESSURE = "FlinkHighBackpressure";

    /** Feeds a book instant by instant, as the lifecycle function does, and collects the events. */
    static final class Run {
        final AlertBook book = new AlertBook();
        final LifecyclePolicy policy;
        final List<AlertEvent> events = new ArrayList<>();
        final List<AlertBook.Suppression> suppressions = new ArrayList<>();

        Run(LifecyclePolicy policy) {
            this.policy = policy;
        }

        Run at(long minute, AlertSignal... signals) {
            advanceTo(minute * 60_000);
            collect(book.apply(List.of(signals), minute * 60_000, CATALOG, policy));
            return this;
        }

        /**
         * Lets event time pass, settling every deadline on the way, as the function's timers do.
         */
        Run advanceTo(long time) {
            for (long due = book.nextDeadline(policy);
                    due <= time;
                    due = book.nextDeadline(policy)) {
                collect(book.apply(List.of(), due, CATALOG, policy));
            }
            return this;
        }

        Run until(long minute) {
            return advanceTo(minute * 60_000);
        }

        private void collect(AlertBook.Outcome outcome) {
            events.addAll(outcome.events());
            suppressions.addAll(outcome.suppressions());
        }

        List<AlertEvent> of(String alert) {
            return events.stream().filter(e -> e.alertname().equals(alert)).toList();
        }
    }

    @Test
    void oneFiringAndOneResolvedPerAlertWhateverTheRepeats() {
        Run run =
                new Run(PLAIN)
                        .at(2, fire(DOWN, "orders", 2))
                        .at(3, fire(DOWN, "orders", 3))
                        .at(5, resolve(DOWN, "orders", 5))
                        .at(6, resolve(DOWN, "orders", 6));

        assertThat(run.events)
                .extracting(AlertEvent::status, AlertEvent::reason)
                .containsExactly(
                        tuple(AlertStatus.FIRING, STARTED), tuple(AlertStatus.RESOLVED, RESOLVED));
        AlertEvent firing = run.events.get(0);
        AlertEvent resolved = run.events.get(1);
        assertThat(firing.startsAt()).isEqualTo(120_000);
        assertThat(firing.updatedAt()).isEqualTo(120_000);
        assertThat(firing.endsAt()).isNull();
        assertThat(firing.labels()).containsEntry("job_id", "id-orders");
        assertThat(firing.annotations().get("summary"))
                .isEqualTo("Flink job orders on prod is not running");
        assertThat(firing.groupKey()).isEqualTo("{cluster=\"prod\",job_name=\"orders\"}");
        assertThat(firing.inhibitedBy()).isEmpty();
        assertThat(resolved.startsAt()).isEqualTo(120_000);
        assertThat(resolved.endsAt()).isEqualTo(300_000);
        assertThat(resolved.labels()).isEqualTo(firing.labels());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(run.book.isEmpty()).isTrue();
    }

    @Test
    void aThirtyMinuteConditionIsOneFiringAndOneResolvedUnderTheDefaults() {
        Run run = new Run(DEFAULTS).at(10, fire(LAG, "orders", 10));
        for (long minute = 11; minute < 40; minute++) {
            run.at(minute, raise(LAG, "orders", minute));
        }
        run.at(40, resolve(LAG, "orders", 40)).until(24 * 60);

        assertThat(run.events).extracting(AlertEvent::reason).containsExactly(STARTED, RESOLVED);
        // Published when the five-minute resolve hold ran out; endsAt is when it cleared.
        assertThat(run.events.get(1).updatedAt()).isEqualTo(45 * 60_000);
        assertThat(run.events.get(1).endsAt()).isEqualTo(40 * 60_000);
    }

    @Test
    void aRetiredJobsAlertsAllResolveAtOnceAndTheBookIsEmpty() {
        AlertSignal retire =
                new AlertSignal(
                        AlertSignal.Kind.RETIRE,
                        "FlinkMetricsAbsent",
                        fingerprint("FlinkMetricsAbsent", "orders"),
                        600 * 60_000L,
                        0,
                        labels("FlinkMetricsAbsent", "orders"),
                        "id-orders",
                        Evidence.builder().fact("retired", "no snapshot for PT10H").build(),
                        false);
        Run run =
                new Run(DEFAULTS)
                        .at(2, fire("FlinkMetricsAbsent", "orders", 2))
                        .at(3, fire(LAG, "orders", 3))
                        .at(600, retire);

        assertThat(run.events)
                .filteredOn(e -> e.reason() != REPEATED)
                .extracting(AlertEvent::alertname, AlertEvent::reason, AlertEvent::updatedAt)
                .containsExactly(
                        tuple("FlinkMetricsAbsent", STARTED, 2 * 60_000L),
                        tuple(LAG, STARTED, 3 * 60_000L),
                        // No resolve hold: the job is gone.
                        tuple("FlinkMetricsAbsent", RESOLVED, 600 * 60_000L),
                        tuple(LAG, RESOLVED, 600 * 60_000L));
        assertThat(run.events.stream().filter(e -> e.reason() == RESOLVED))
                .allSatisfy(e -> assertThat(e.evidence().facts()).containsKey("retired"));
        assertThat(run.book.isEmpty()).isTrue();
    }

    @Test
    void aClearOfAnAlertThatNeverFiredSaysNothing() {
        assertThat(new Run(PLAIN).at(1, resolve(DOWN, "orders", 1)).events).isEmpty();
    }

    @Test
    void signalsOfOneInstantAreAppliedInAFixedOrder() {
        AlertSignal[] both = {
            fire(DOWN, "orders", 1), resolve(DOWN, "orders", 1), fire(FAILURES, "orders", 1)
        };
        AlertSignal[] reversed = {
            fire(FAILURES, "orders", 1), resolve(DOWN, "orders", 1), fire(DOWN, "orders", 1)
        };

        assertThat(new Run(DEFAULTS).at(1, both).until(60).events)
                .isEqualTo(new Run(DEFAULTS).at(1, reversed).until(60).events);
    }

    @Nested
    class Flapping {

        @Test
        void aConditionThatReturnsWithinTheHoldDoesNotPageAgain() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(LAG, "orders", 0))
                            .at(10, resolve(LAG, "orders", 10))
                            .at(12, raise(LAG, "orders", 12))
                            .at(20, resolve(LAG, "orders", 20))
                            .at(23, fire(LAG, "orders", 23))
                            .at(30, resolve(LAG, "orders", 30))
                            .until(60);

            assertThat(run.events)
                    .extracting(AlertEvent::reason)
                    .containsExactly(STARTED, RESOLVED);
            assertThat(run.events.get(1).endsAt()).isEqualTo(30 * 60_000);
        }

        @Test
        void aConditionThatReturnsAfterTheHoldIsANewAlert() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(LAG, "orders", 0))
                            .at(10, resolve(LAG, "orders", 10))
                            .at(16, raise(LAG, "orders", 16))
                            .at(21, fire(LAG, "orders", 21))
                            .until(60);

            assertThat(run.events)
                    .extracting(AlertEvent::reason, AlertEvent::startsAt)
                    .containsExactly(
                            tuple(STARTED, 0L), tuple(RESOLVED, 0L), tuple(STARTED, 21 * 60_000L));
        }
    }

    @Nested
    class Repeats {

        @Test
        void aFiringAlertIsRenotifiedEveryRepeatInterval() {
            Run run = new Run(DEFAULTS).at(0, fire(LAG, "orders", 0)).until(9 * 60);

            assertThat(run.events)
                    .extracting(AlertEvent::reason, AlertEvent::updatedAt)
                    .containsExactly(
                            tuple(STARTED, 0L),
                            tuple(REPEATED, 4 * 3_600_000L),
                            tuple(REPEATED, 8 * 3_600_000L));
            assertThat(run.events).extracting(AlertEvent::startsAt).containsOnly(0L);
        }

        @Test
        void aZeroIntervalNeverRepeats() {
            Run run =
                    new Run(new LifecyclePolicy(0, 0, List.of(), GROUPING))
                            .at(0, fire(LAG, "orders", 0))
                            .until(48 * 60);

            assertThat(run.events).hasSize(1);
            assertThat(run.book.nextDeadline(run.policy)).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Nested
    class Inhibition {

        @Test
        void aTargetThatStartsWhileTheSourceFiresIsHeldBackAndFiresWhenTheSourceResolves() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(DOWN, "orders", 0))
                            .at(10, fire(FAILURES, "orders", 10), fire(LAG, "orders", 10))
                            .at(20, resolve(DOWN, "orders", 20));

            // Suppressed: nothing published for them while the job is down.
            assertThat(run.events).extracting(AlertEvent::alertname).containsExactly(DOWN);
            assertThat(run.suppressions)
                    .extracting(AlertBook.Suppression::alertname)
                    .containsExactlyInAnyOrder(FAILURES, LAG);
            assertThat(run.suppressions.get(0).inhibitedBy())
                    .containsExactly(new InhibitingAlert(DOWN, fingerprint(DOWN, "orders")));

            run.until(30);
            // The source resolves after its hold (25m); the targets still hold and fire then.
            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason, AlertEvent::updatedAt)
                    .containsExactly(
                            tuple(DOWN, STARTED, 0L),
                            tuple(DOWN, RESOLVED, 25 * 60_000L),
                            tuple(FAILURES, STARTED, 25 * 60_000L),
                            tuple(LAG, STARTED, 25 * 60_000L));
            assertThat(run.of(FAILURES).get(0).startsAt()).isEqualTo(10 * 60_000);
        }

        @Test
        void aTargetThatClearsWhileSuppressedIsNeverPublished() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(DOWN, "orders", 0))
                            .at(10, fire(FAILURES, "orders", 10))
                            .at(12, resolve(FAILURES, "orders", 12))
                            .at(20, resolve(DOWN, "orders", 20))
                            .until(60);

            assertThat(run.events).extracting(AlertEvent::alertname).containsOnly(DOWN);
            assertThat(run.suppressions).hasSize(1);
        }

        @Test
        void aTargetAlreadyFiringIsMarkedSuppressedAndStillResolves() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(FAILURES, "orders", 0))
                            .at(10, fire(DOWN, "orders", 10))
                            .at(15, resolve(FAILURES, "orders", 15))
                            .until(60);

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .containsExactly(
                            tuple(FAILURES, STARTED),
                            tuple(DOWN, STARTED),
                            tuple(FAILURES, SUPPRESSED),
                            tuple(FAILURES, RESOLVED));
            AlertEvent suppressed = run.of(FAILURES).get(1);
            assertThat(suppressed.status()).isEqualTo(AlertStatus.FIRING);
            assertThat(suppressed.suppressed()).isTrue();
            assertThat(suppressed.inhibitedBy())
                    .containsExactly(new InhibitingAlert(DOWN, fingerprint(DOWN, "orders")));
            assertThat(run.of(FAILURES).get(2).endsAt()).isEqualTo(15 * 60_000);
            assertThat(run.suppressions).hasSize(1);
        }

        @Test
        void aSuppressedTargetIsReleasedWhenTheSourceResolvesFirst() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(FAILURES, "orders", 0))
                            .at(10, fire(DOWN, "orders", 10))
                            .at(20, resolve(DOWN, "orders", 20))
                            .until(60);

            assertThat(run.of(FAILURES))
                    .extracting(AlertEvent::reason, AlertEvent::updatedAt)
                    .containsExactly(
                            tuple(STARTED, 0L),
                            tuple(SUPPRESSED, 10 * 60_000L),
                            tuple(UNSUPPRESSED, 25 * 60_000L));
            assertThat(run.of(FAILURES).get(2).inhibitedBy()).isEmpty();
        }

        @Test
        void aSuppressedAlertIsNotRepeated() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(FAILURES, "orders", 0))
                            .at(10, fire(DOWN, "orders", 10))
                            .until(9 * 60);

            assertThat(run.of(FAILURES))
                    .extracting(AlertEvent::reason)
                    .containsExactly(STARTED, SUPPRESSED);
            assertThat(run.of(DOWN))
                    .extracting(AlertEvent::reason)
                    .containsExactly(STARTED, REPEATED, REPEATED);
        }

        @Test
        void onlyTheDownJobsOwnMatchingAlertsAreSuppressed() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(DOWN, "orders", 0))
                            .at(
                                    5,
                                    fire(FAILURES, "orders", 5),
                                    fire(BACKPRESSURE, "orders", 5),
                                    fire(FAILURES, "billing", 5));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, e -> e.label("job_name"))
                    .containsExactly(
                            tuple(DOWN, "orders"),
                            tuple(FAILURES, "billing"),
                            tuple(BACKPRESSURE, "orders"));
        }

        @Test
        void aNamesakeThatIsDownSilencesOnlyItsOwnAlerts() {
            // Two jobs named "orders" run at once: their alerts carry their ids.
            Run run =
                    new Run(DEFAULTS)
                            .at(0, namesake(fire(DOWN, "orders", 0), "id-a"))
                            .at(
                                    5,
                                    namesake(fire(FAILURES, "orders", 5), "id-a"),
                                    namesake(fire(FAILURES, "orders", 5), "id-b"));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, e -> e.label("job_id"), AlertEvent::reason)
                    .containsExactly(
                            tuple(DOWN, "id-a", STARTED), tuple(FAILURES, "id-b", STARTED));
        }

        @Test
        void aNamesakeThatIsDownSilencesNoAlertOfItsTwinRaisedBeforeTheyRanTogether() {
            // id-b's alert started while it ran alone (no job id in its identity).
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(FAILURES, "orders", 0))
                            .at(5, namesake(fire(DOWN, "orders", 5), "id-a"));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .containsExactly(tuple(FAILURES, STARTED), tuple(DOWN, STARTED));
        }

        @Test
        void withoutNamesakesAResubmittedJobStillSilencesWhatItsOldIdRaised() {
            AlertSignal before = fire(FAILURES, "orders", 0);
            AlertSignal down = fire(DOWN, "orders", 5);
            Run run = new Run(DEFAULTS).at(0, before).at(5, withJobId(down, "id-resubmitted"));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .containsExactly(
                            tuple(FAILURES, STARTED),
                            tuple(DOWN, STARTED),
                            tuple(FAILURES, SUPPRESSED));
        }

        @Test
        void aRestartLoopSilencesItsJobsNotRunningSoTheLoopPagesOnce() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(LOOP, "orders", 0))
                            .at(5, fire(DOWN, "orders", 5))
                            .at(7, resolve(DOWN, "orders", 7))
                            .at(10, fire(DOWN, "orders", 10))
                            .at(13, resolve(DOWN, "orders", 13))
                            .at(30, resolve(LOOP, "orders", 30))
                            .until(60);

            // The outages long enough for NotRunning are never published.
            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .containsExactly(tuple(LOOP, STARTED), tuple(LOOP, RESOLVED));
        }

        @Test
        void aJobLeftDownAfterItsLoopEndedPagesThen() {
            Run run =
                    new Run(DEFAULTS)
                            .at(0, fire(LOOP, "orders", 0))
                            .at(5, fire(DOWN, "orders", 5))
                            .at(30, resolve(LOOP, "orders", 30))
                            .until(60);

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason, AlertEvent::updatedAt)
                    .containsExactly(
                            tuple(LOOP, STARTED, 0L),
                            tuple(LOOP, RESOLVED, 35 * 60_000L),
                            tuple(DOWN, STARTED, 35 * 60_000L));
        }

        @Test
        void aRestartLoopSilencesNoNotRunningOfANamesakeOrOfAResubmission() {
            Run namesakes =
                    new Run(DEFAULTS)
                            .at(0, namesake(fire(LOOP, "orders", 0), "id-a"))
                            .at(5, namesake(fire(DOWN, "orders", 5), "id-b"));
            assertThat(namesakes.events)
                    .extracting(AlertEvent::alertname, e -> e.label("job_id"))
                    .containsExactly(tuple(LOOP, "id-a"), tuple(DOWN, "id-b"));

            Run resubmitted =
                    new Run(DEFAULTS)
                            .at(0, fire(LOOP, "orders", 0))
                            .at(5, withJobId(fire(DOWN, "orders", 5), "id-resubmitted"));
            assertThat(resubmitted.events)
                    .extracting(AlertEvent::alertname)
                    .containsExactly(LOOP, DOWN);
        }

        @Test
        void notRunningDoesNotSilenceARestartLoop() {
            Run run =
                    new Run(DEFAULTS).at(0, fire(DOWN, "orders", 0)).at(5, fire(LOOP, "orders", 5));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname, AlertEvent::reason)
                    .containsExactly(
                            tuple(DOWN, STARTED), tuple(LOOP, STARTED), tuple(DOWN, SUPPRESSED));
        }

        @Test
        void aSourceAndATargetOfOneInstantNeverPublishTheTarget() {
            Run run = new Run(DEFAULTS).at(5, fire(FAILURES, "orders", 5), fire(DOWN, "orders", 5));

            assertThat(run.events).extracting(AlertEvent::alertname).containsExactly(DOWN);
        }

        @Test
        void noRulesNoInhibition() {
            Run run =
                    new Run(new LifecyclePolicy(0, 0, List.of(), GROUPING))
                            .at(0, fire(DOWN, "orders", 0))
                            .at(5, fire(FAILURES, "orders", 5));

            assertThat(run.events)
                    .extracting(AlertEvent::alertname)
                    .containsExactly(DOWN, FAILURES);
        }
    }

    static AlertSignal fire(String rule, String job, long minute) {
        return signal(AlertSignal.Kind.FIRE, rule, job, minute);
    }

    static AlertSignal resolve(String rule, String job, long minute) {
        return signal(AlertSignal.Kind.RESOLVE, rule, job, minute);
    }

    static AlertSignal raise(String rule, String job, long minute) {
        return signal(AlertSignal.Kind.RAISE, rule, job, minute);
    }

    static AlertSignal signal(AlertSignal.Kind kind, String rule, String job, long minute) {
        return new AlertSignal(
                kind,
                rule,
                fingerprint(rule, job),
                minute * 60_000,
                minute * 60_000,
                labels(rule, job),
                "id-" + job,
                Evidence.builder().value("minute", minute).build(),
                false);
    }

    /**
     * The signal as the analytics send it for a job running beside namesakes: its id identifies it.
     */
    static AlertSignal namesake(AlertSignal signal, String jobId) {
        return withLabel(signal, "job_id", jobId, jobId);
    }

    /** The signal with one identifying label set (its fingerprint follows) and the given job id. */
    static AlertSignal withLabel(AlertSignal signal, String label, String value, String jobId) {
        Map<String, String> labels = new java.util.TreeMap<>(signal.labels());
        labels.put(label, value);
        return new AlertSignal(
                signal.kind(),
                signal.rule(),
                io.flinkwatch.alerts.event.Fingerprint.of(labels),
                signal.timestamp(),
                signal.activeSince(),
                labels,
                jobId,
                signal.evidence(),
                signal.immediate());
    }

    static AlertSignal withJobId(AlertSignal signal, String jobId) {
        return new AlertSignal(
                signal.kind(),
                signal.rule(),
                signal.fingerprint(),
                signal.timestamp(),
                signal.activeSince(),
                signal.labels(),
                jobId,
                signal.evidence(),
                signal.immediate());
    }

    static String fingerprint(String rule, String job) {
        return io.flinkwatch.alerts.event.Fingerprint.of(labels(rule, job));
    }

    static Map<String, String> labels(String rule, String job) {
        return Map.of(
                "alertname",
                rule,
                "severity",
                CATALOG.rule(rule).severity().label(),
                "cluster",
                "prod",
                "job_name",
                job);
    }

    /** Kept for the function test: the walking skeleton's alert. */
    static AlertSignal fire(long second, String jobId) {
        AlertSignal fire = fire(DOWN, "orders", 0);
        return new AlertSignal(
                fire.kind(),
                fire.rule(),
                fire.fingerprint(),
                second * 1000,
                second * 1000,
                fire.labels(),
                jobId,
                fire.evidence(),
                false);
    }

    static AlertSignal resolve(long second) {
        AlertSignal resolve = resolve(DOWN, "orders", 0);
        return new AlertSignal(
                resolve.kind(),
                resolve.rule(),
                resolve.fingerprint(),
                second * 1000,
                0,
                resolve.labels(),
                "id-orders",
                Evidence.none(),
                false);
    }
}

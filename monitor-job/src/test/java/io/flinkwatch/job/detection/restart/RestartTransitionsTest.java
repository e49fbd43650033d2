package io.flinkwatch.job.detection.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * From a job's status samples to its restarts and the ends of its loops ({@link
 * RestartTransitions}), under "3 restarts within 30 minutes"; times in seconds.
 */
class RestartTransitionsTest {

    static final JobRestartLoop RULE = new JobRestartLoop(3, Duration.ofMinutes(30));
    static final String NAME = "orders";

    @Test
    void shortOutagesBetweenRunningsAreRestartsOfTheJob() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 0);
            feed(harness, "job-1", 10, "FAILING", 1);
            feed(harness, "job-1", 20, "RESTARTING", 1);
            feed(harness, "job-1", 30, "CREATED", 1);
            feed(harness, "job-1", 40, "RUNNING", 1);
            feed(harness, "job-1", 50, "RUNNING", 1);
            // The reporter missed this outage; the counter did not.
            feed(harness, "job-1", 60, "RUNNING", 2);
            harness.processWatermark(seconds(100));

            List<JobRestart> restarts = restarts(harness);
            assertThat(restarts)
                    .extracting(JobRestart::timestamp, JobRestart::outageMs)
                    .containsExactly(tuple(seconds(40), seconds(30)), tuple(seconds(60), -1L));
            assertThat(restarts.get(0).labels())
                    .containsEntry("alertname", "FlinkJobRestartLoop")
                    .containsEntry("severity", "critical")
                    .containsEntry("job_name", NAME)
                    .doesNotContainKey("job_id");
            assertThat(restarts.get(1).fingerprint()).isEqualTo(restarts.get(0).fingerprint());
        }
    }

    @Test
    void samplesArrivingOutOfOrderAreReadInEventTimeOrder() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 40, "RUNNING", 1);
            feed(harness, "job-1", 20, "RESTARTING", 1);
            feed(harness, "job-1", 0, "RUNNING", 0);
            harness.processWatermark(seconds(100));

            assertThat(restarts(harness))
                    .extracting(JobRestart::timestamp)
                    .containsExactly(seconds(40));
        }
    }

    @Test
    void aResubmissionIsNoRestartAndItsCounterStartsOver() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 7);
            feed(harness, "job-1", 30, "RUNNING", 7);
            // Cancelled and submitted again: a new id whose counter starts at 0.
            feed(harness, "job-2", 60, "CREATED", 0);
            feed(harness, "job-2", 90, "RUNNING", 0);
            feed(harness, "job-2", 120, "RUNNING", 1);
            harness.processWatermark(seconds(200));

            assertThat(restarts(harness))
                    .extracting(JobRestart::timestamp, JobRestart::jobId)
                    .containsExactly(tuple(seconds(120), "job-2"));
        }
    }

    @Test
    void namesakesCountTheirOwnRestartsUnderTheirOwnJobId() throws Exception {
        try (var harness = harness()) {
            harness.open();
            for (long t = 0; t <= 120; t += 30) {
                // "a" restarts at every sample; "b" runs quietly beside it.
                feed(harness, "job-a", t, "RUNNING", t / 30);
                feed(harness, "job-b", t, "RUNNING", 4);
            }
            harness.processWatermark(seconds(200));

            List<JobRestart> restarts = restarts(harness);
            assertThat(restarts).hasSize(4);
            assertThat(restarts)
                    .allSatisfy(
                            r -> {
                                assertThat(r.jobId()).isEqualTo("job-a");
                                assertThat(r.labels()).containsEntry("job_id", "job-a");
                            });
        }
    }

    @Test
    void aLoopEndsWhenTheJobHasGoneTheWindowWithoutARestart() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 0);
            feed(harness, "job-1", 60, "RUNNING", 1);
            // A restart 20 minutes later puts the end off.
            feed(harness, "job-1", 1260, "RUNNING", 2);
            harness.processWatermark(seconds(1860));
            assertThat(harness.extractOutputValues()).isEmpty();

            feed(harness, "job-1", 1900, "RUNNING", 2);
            harness.processWatermark(seconds(1260 + 1800));
            List<AlertSignal> resolved = harness.extractOutputValues();
            assertThat(resolved)
                    .extracting(AlertSignal::kind, AlertSignal::rule, AlertSignal::timestamp)
                    .containsExactly(
                            tuple(
                                    AlertSignal.Kind.RESOLVE,
                                    "FlinkJobRestartLoop",
                                    seconds(1260 + 1800)));
            assertThat(resolved.get(0).fingerprint())
                    .isEqualTo(restarts(harness).get(0).fingerprint());
            assertThat(resolved.get(0).evidence().facts())
                    .containsEntry("lastRestart", "1970-01-01T00:21:00Z");
        }
    }

    @Test
    void aRestartCarriesTheNewestFailureCauseReported() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 0);
            harness.processElement(
                    new StreamRecord<>(
                            new JobStatusSample(
                                    seconds(10),
                                    "prod",
                                    NAME,
                                    "job-1",
                                    "FAILING",
                                    0,
                                    1,
                                    "java.io.IOException: broker down"),
                            seconds(10)));
            feed(harness, "job-1", 20, "RUNNING", 1);
            harness.processWatermark(seconds(100));

            assertThat(restarts(harness))
                    .extracting(JobRestart::failureCause)
                    .containsExactly("java.io.IOException: broker down");
        }
    }

    @Test
    void aCounterThatJumpsCountsAtMostALoopsWorth() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 0);
            feed(harness, "job-1", 30, "RUNNING", 500);
            harness.processWatermark(seconds(100));

            assertThat(restarts(harness)).hasSize(3);
        }
    }

    @Test
    void jobLevelSnapshotsOnlyAndNotThoseObservedFromOutside() {
        MetricSnapshot job =
                Snapshots.job(NAME)
                        .at(seconds(10))
                        .status("RESTARTING")
                        .metric("uptime", 0)
                        .build();
        assertThat(JobStatusSample.of(job))
                .get()
                .extracting(JobStatusSample::status, JobStatusSample::state)
                .containsExactly("RESTARTING", RunRestarts.State.DOWN);
        MetricSnapshot uptimeOnly = Snapshots.job(NAME).at(seconds(10)).metric("uptime", 5).build();
        assertThat(JobStatusSample.of(uptimeOnly).get().state())
                .isEqualTo(RunRestarts.State.RUNNING);
        MetricSnapshot external =
                new MetricSnapshot(
                        job.timestamp(),
                        job.cluster(),
                        job.job(),
                        job.scope(),
                        job.metrics(),
                        null,
                        true);
        assertThat(JobStatusSample.of(external)).isEmpty();
    }

    @Test
    void aJobForgottenAfterTheRetentionLeavesNoState() throws Exception {
        try (var harness = harness()) {
            harness.open();
            feed(harness, "job-1", 0, "RUNNING", 0);
            feed(harness, "job-1", 60, "RUNNING", 1);
            harness.processWatermark(seconds(600));
            assertThat(harness.numKeyedStateEntries()).isPositive();

            // The loop's end at 60 + 1800 s, the retention (1 h) after the last sample.
            harness.processWatermark(seconds(60 + 3600));
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    static long seconds(long seconds) {
        return seconds * 1000;
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, JobStatusSample, AlertSignal> harness,
            String jobId,
            long second,
            String status,
            double numRestarts)
            throws Exception {
        JobStatusSample sample =
                new JobStatusSample(
                        seconds(second),
                        "prod",
                        NAME,
                        jobId,
                        status,
                        Double.NaN,
                        numRestarts,
                        null);
        harness.processElement(new StreamRecord<>(sample, sample.timestamp()));
    }

    private static List<JobRestart> restarts(
            KeyedOneInputStreamOperatorTestHarness<String, JobStatusSample, AlertSignal> harness) {
        return harness.getSideOutput(RestartTransitions.RESTARTS).stream()
                .map(StreamRecord::getValue)
                .toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobStatusSample, AlertSignal>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new RestartTransitions(RULE, Duration.ofMinutes(5), Duration.ofHours(1))),
                JobStatusSample::jobKey,
                Types.STRING);
    }
}

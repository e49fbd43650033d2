package io.flinkwatch.testing.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.scenario.Scenario;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.LongToDoubleFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The figures of issue #13 part 1 (trends that are real, not jitter) end to end: one recording, a
 * job per figure, replayed from a real broker through Flinkwatch on a MiniCluster twice — with the
 * defaults (mode significant) and with {@code --rule.<name>.mode deriv} on every trend rule (the
 * article's PromQL). A sample every 15 s, seeded jitter.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrendFiguresITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    private static final long START = Scenario.DEFAULT_START.toEpochMilli();
    private static final long HOUR = 3600;
    private static final long DAY = 24 * HOUR;

    private static final Set<String> TRENDS =
            Set.of(
                    "FlinkLagGrowing",
                    "FlinkCommitLagGrowing",
                    "FlinkCheckpointDurationIncreasing",
                    "FlinkStateSizeGrowing");

    private static final String SOURCE = "Source: orders";
    private static final String SOURCE_ID = "0a448493b4782967b150582570326227";

    private static List<AlertEvent> significant;
    private static List<AlertEvent> deriv;

    @BeforeAll
    static void replayTheRecordingInBothModes() throws Exception {
        List<MetricSnapshot> recording = new ArrayList<>();
        // 24 h of flat lag with ±5 % uniform jitter, checkpoint durations ±5 %, state ±0.5 %.
        record(
                recording,
                "jitter",
                DAY,
                t -> 10_000 * (1 + 0.05 * jitter(1, t)),
                t -> {
                    long c = t / 60 * 60;
                    return new double[] {
                        5_000 * (1 + 0.05 * jitter(2, c)), 50e6 * (1 + 0.005 * jitter(3, c))
                    };
                },
                t -> false);
        // The same lag doubled for two minutes every hour.
        record(
                recording,
                "spike",
                DAY,
                t ->
                        10_000
                                * (1 + 0.05 * jitter(4, t))
                                * (t % HOUR >= 1800 && t % HOUR < 1920 ? 2 : 1),
                null,
                t -> false);
        // Flat at 10,000 records (100 s), growing by 1 % of that per minute from 1 h.
        record(
                recording,
                "lag-growth",
                3 * HOUR,
                t -> 10_000 + (t > HOUR ? 100 * (t - HOUR) / 60.0 : 0),
                null,
                t -> false);
        // Checkpoints rising from 5 s to 40 s in the hour from 2 h; state growing 2 KiB/s from 2 h.
        record(
                recording,
                "slowdown",
                5 * HOUR,
                t -> 100,
                t -> {
                    long c = t / 60 * 60;
                    double rise = Math.max(0, Math.min(c - 2 * HOUR, HOUR)) / (double) HOUR;
                    return new double[] {
                        5_000 + 35_000 * rise, 50e6 + 2048 * Math.max(0, c - 2 * HOUR)
                    };
                },
                t -> false);
        // ±5 % per checkpoint until every checkpoint fails from 3 h; the last completed one was
        // 50 % slower and 2 % larger: the gauges stay there.
        record(
                recording,
                "frozen",
                6 * HOUR,
                t -> 100,
                t -> {
                    long c = Math.min(t / 60 * 60, 3 * HOUR - 60);
                    double last = c == 3 * HOUR - 60 ? 1 : 0;
                    return new double[] {
                        5_000 * (1 + 0.5 * last) * (1 + 0.05 * jitter(5, c)),
                        50e6 * (1 + 0.02 * last) * (1 + 0.005 * jitter(6, c))
                    };
                },
                t -> t >= 3 * HOUR);
        recording.sort(Comparator.comparingLong(MetricSnapshot::timestamp));

        significant = replay(recording, Map.of());
        Map<String, String> derivModes = new HashMap<>();
        for (String rule :
                List.of(
                        "lag-growing",
                        "commit-lag-growing",
                        "checkpoint-duration-increasing",
                        "state-size-growing")) {
            derivModes.put("rule." + rule + ".mode", "deriv");
        }
        deriv = replay(recording, derivModes);
    }

    @Test
    void aDayOfJitteredLagFiresNoTrendButPlainDerivDoes() {
        assertThat(trends(significant, "jitter")).isEmpty();
        assertThat(trends(deriv, "jitter"))
                .extracting(AlertEvent::alertname)
                .contains("FlinkLagGrowing");
    }

    @Test
    void twoMinuteSpikesFireNothing() {
        assertThat(trends(significant, "spike")).isEmpty();
    }

    @Test
    void aLagGrowingOnePercentPerMinuteFiresNoLaterThanPlainDerivPlusOneEvaluation() {
        assertNoLaterThanDeriv("lag-growth", "FlinkLagGrowing");
    }

    @Test
    void risingCheckpointDurationAndStateFireNoLaterThanPlainDerivPlusOneEvaluation() {
        assertNoLaterThanDeriv("slowdown", "FlinkCheckpointDurationIncreasing");
        assertNoLaterThanDeriv("slowdown", "FlinkStateSizeGrowing");
    }

    @Test
    void gaugesFrozenWhileCheckpointsFailFireNoTrend() {
        assertThat(trends(significant, "frozen")).isEmpty();
        // The failures themselves are reported.
        assertThat(significant)
                .anyMatch(
                        a ->
                                a.alertname().equals("FlinkCheckpointFailures")
                                        && "frozen".equals(a.label("job_name")));
    }

    private static void assertNoLaterThanDeriv(String job, String alert) {
        List<AlertEvent> plain = firing(deriv, job, alert);
        List<AlertEvent> robust = firing(significant, job, alert);
        assertThat(plain).as("deriv %s for %s", alert, job).isNotEmpty();
        assertThat(robust).as("significant %s for %s", alert, job).hasSize(1);
        long delay = robust.get(0).startsAt() - plain.get(0).startsAt();
        System.out.printf(
                "%s %s: deriv at %d s, significant %+d ms%n",
                job, alert, (plain.get(0).startsAt() - START) / 1000, delay);
        assertThat(delay).isLessThanOrEqualTo(15_000);
    }

    private static List<AlertEvent> trends(List<AlertEvent> alerts, String job) {
        return alerts.stream()
                .filter(a -> TRENDS.contains(a.alertname()) && job.equals(a.label("job_name")))
                .toList();
    }

    private static List<AlertEvent> firing(List<AlertEvent> alerts, String job, String alert) {
        return alerts.stream()
                .filter(
                        a ->
                                a.alertname().equals(alert)
                                        && a.status() == AlertStatus.FIRING
                                        && job.equals(a.label("job_name")))
                .toList();
    }

    private static List<AlertEvent> replay(
            List<MetricSnapshot> recording, Map<String, String> extra) throws Exception {
        return new TestJobs(SharedKafka.broker(), 4).replay(recording, extra);
    }

    /**
     * A job reporting every 15 s for {@code length} seconds: its consumer lag (100 records/s
     * consumed), and, when {@code checkpoints} is given, the last checkpoint's duration and full
     * size (a checkpoint a minute, failing while {@code failing} holds).
     */
    private static void record(
            List<MetricSnapshot> recording,
            String name,
            long length,
            LongToDoubleFunction lag,
            LongFunction<double[]> checkpoints,
            LongPredicate failing) {
        String jobId = String.format("%032x", (long) name.hashCode() & 0xffffffffL);
        long failed = 0;
        for (long t = 0; t < length; t += 15) {
            long time = START + t * 1000;
            Map<String, Double> job = new LinkedHashMap<>();
            job.put(FlinkMetricNames.UPTIME, (double) (DAY + t) * 1000);
            if (checkpoints != null) {
                double[] values = checkpoints.apply(t);
                if (failing.test(t) && t % 60 == 0) {
                    failed++;
                }
                job.put(FlinkMetricNames.LAST_CHECKPOINT_DURATION, Math.rint(values[0]));
                job.put(FlinkMetricNames.LAST_CHECKPOINT_FULL_SIZE, Math.rint(values[1]));
                job.put(FlinkMetricNames.NUMBER_OF_FAILED_CHECKPOINTS, (double) failed);
            }
            recording.add(
                    new MetricSnapshot(
                            time,
                            Scenario.DEFAULT_CLUSTER,
                            new JobRef(
                                    jobId, name, "RUNNING", checkpoints == null ? null : 60_000L),
                            Scope.job(),
                            job,
                            null));
            Map<String, Double> source = new LinkedHashMap<>();
            source.put(FlinkMetricNames.RECORDS_LAG_MAX, Math.rint(lag.applyAsDouble(t)));
            // Consumed at 100 records/s: the source's offset moves as it consumes.
            source.put("KafkaSourceReader.topic.orders.partition.0.currentOffset", 100.0 * t);
            recording.add(
                    new MetricSnapshot(
                            time,
                            Scenario.DEFAULT_CLUSTER,
                            JobRef.of(jobId, name),
                            Scope.operator(SOURCE_ID, SOURCE, 0, 0, SOURCE_ID, SOURCE),
                            source,
                            null));
        }
    }

    /** Seeded uniform jitter in [-1, 1), a pure function of the series and the second. */
    private static double jitter(long series, long second) {
        return 2 * new SplittableRandom(series * 1_000_003L + second).nextDouble() - 1;
    }
}

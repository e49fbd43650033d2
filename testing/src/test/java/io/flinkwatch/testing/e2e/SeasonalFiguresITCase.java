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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongToDoubleFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The figures of issue #13 part 2 (seasonal baselines from day two) end to end: one recording, a
 * job per figure, replayed from a real broker through Flinkwatch on a MiniCluster twice — with
 * {@code --rule.throughput-drop.baseline seasonal} and with {@code flat} (the article's 7-day
 * average). The recording starts on a Monday at midnight and lasts 15 days, a sample a minute, with
 * ±5 % seeded uniform jitter on every sample.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SeasonalFiguresITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    private static final long START = Scenario.DEFAULT_START.toEpochMilli();
    private static final long HOUR = 3600;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final long LENGTH = 2 * WEEK + DAY;
    private static final String DROP = "FlinkThroughputDrop";

    private static final String SOURCE = "Source: orders";
    private static final String SOURCE_ID = "0a448493b4782967b150582570326227";

    /** The real drop of the "drop" job: to 30 % for 20 minutes at 14:00 on the eighth day. */
    private static final long DROP_FROM = 7 * DAY + 14 * HOUR;

    private static final long DROP_UNTIL = DROP_FROM + 20 * 60;

    private static List<AlertEvent> seasonal;
    private static List<AlertEvent> flat;

    @BeforeAll
    static void replayTheRecordingWithBothBaselines() throws Exception {
        List<MetricSnapshot> recording = new ArrayList<>();
        // A strong daily cycle: night at 20 % of day, smooth transitions.
        record(recording, "daily", LENGTH, 60, t -> 1000 * daily(t) * (1 + 0.05 * jitter(1, t)));
        // 7 flat days, then a real drop to 30 % for 20 minutes.
        record(
                recording,
                "drop",
                LENGTH,
                60,
                t ->
                        1000
                                * (t >= DROP_FROM && t < DROP_UNTIL ? 0.3 : 1)
                                * (1 + 0.05 * jitter(2, t)));
        // Two weeks of the daily cycle with weekends at 40 % of weekdays (a sample a minute).
        record(
                recording,
                "weekly",
                LENGTH,
                60,
                t -> 1000 * daily(t) * weekly(t) * (1 + 0.05 * jitter(3, t)));
        recording.sort(Comparator.comparingLong(MetricSnapshot::timestamp));

        seasonal = replay(recording, "seasonal");
        flat = replay(recording, "flat");
        for (String job : List.of("daily", "drop", "weekly")) {
            System.out.printf(
                    "%s: seasonal fires at %s; flat at %s%n",
                    job, starts(firing(seasonal, job)), starts(firing(flat, job)));
        }
    }

    @Test
    void fifteenDaysOfADailyCycleFireOnNoNightWithTheSeasonalBaseline() {
        assertThat(firing(seasonal, "daily")).isEmpty();
        // The flat baseline judges every night against the day (it needs a day of history first,
        // so the first night is spared): 14 nights.
        assertThat(firing(flat, "daily")).hasSizeGreaterThanOrEqualTo(14);
    }

    @Test
    void aRealDropAfterSevenFlatDaysIsCaughtNoLaterThanTheFlatRulePlusOneSample() {
        // A sample a minute: one sample is 60 s.
        List<AlertEvent> plain = firing(flat, "drop");
        List<AlertEvent> robust = firing(seasonal, "drop");
        assertThat(plain).hasSize(1);
        assertThat(robust).hasSize(1);
        assertThat(robust.get(0).startsAt())
                .isBetween(START + DROP_FROM * 1000, START + DROP_UNTIL * 1000);
        assertThat(robust.get(0).startsAt() - plain.get(0).startsAt()).isLessThanOrEqualTo(60_000);
        assertThat(robust.get(0).evidence().facts()).containsEntry("baseline", "hour-of-week");
    }

    @Test
    void aWeeklyShapeFiresOnlyOnTheFirstQuietDayBeforeTheHourOfWeekBaselineExists() {
        // The first Saturday is news: the hour-of-day baseline knows only weekdays (it may clear
        // and fire again on the day's ramps, where 40 % is near the ratio). Sunday is judged
        // against Saturday (the cap), and from week two the hour of the week knows both.
        List<AlertEvent> fired = firing(seasonal, "weekly");
        long saturday = START + 5 * DAY * 1000;
        assertThat(fired).isNotEmpty();
        assertThat(fired)
                .allSatisfy(
                        a -> {
                            assertThat(a.startsAt()).isBetween(saturday, saturday + DAY * 1000);
                            assertThat(a.evidence().facts())
                                    .containsEntry("baseline", "hour-of-day");
                        });
        // The flat baseline fires on both weekends (and every night).
        assertThat(firing(flat, "weekly")).anyMatch(a -> a.startsAt() >= saturday + WEEK * 1000);
    }

    /** The daily shape: 20 % from 22:00 to 06:00, 100 % from 09:00 to 18:00, cosine ramps. */
    private static double daily(long t) {
        double h = (t % DAY) / 3600.0;
        if (h < 6) {
            return 0.2;
        } else if (h < 9) {
            return ramp(0.2, 1.0, (h - 6) / 3);
        } else if (h < 18) {
            return 1.0;
        } else if (h < 22) {
            return ramp(1.0, 0.2, (h - 18) / 4);
        }
        return 0.2;
    }

    /** Weekends at 40 %, with two-hour cosine ramps around Saturday's and Monday's midnights. */
    private static double weekly(long t) {
        double h = (t % WEEK) / 3600.0;
        if (h < 1) {
            return ramp(0.4, 1.0, (h + 1) / 2);
        } else if (h < 119) {
            return 1.0;
        } else if (h < 121) {
            return ramp(1.0, 0.4, (h - 119) / 2);
        } else if (h < 167) {
            return 0.4;
        }
        return ramp(0.4, 1.0, (h - 167) / 2);
    }

    private static double ramp(double from, double to, double x) {
        return from + (to - from) * (1 - Math.cos(Math.PI * x)) / 2;
    }

    /** One FIRING event per episode (a firing alert is re-sent while it lasts). */
    private static List<AlertEvent> firing(List<AlertEvent> alerts, String job) {
        Map<Long, AlertEvent> episodes = new TreeMap<>();
        for (AlertEvent a : alerts) {
            if (a.alertname().equals(DROP)
                    && a.status() == AlertStatus.FIRING
                    && job.equals(a.label("job_name"))) {
                episodes.putIfAbsent(a.startsAt(), a);
            }
        }
        return List.copyOf(episodes.values());
    }

    private static List<String> starts(List<AlertEvent> alerts) {
        return alerts.stream().map(a -> Instant.ofEpochMilli(a.startsAt()).toString()).toList();
    }

    private static List<AlertEvent> replay(List<MetricSnapshot> recording, String baseline)
            throws Exception {
        return new TestJobs(SharedKafka.broker(), 4)
                .replay(recording, Map.of("rule.throughput-drop.baseline", baseline));
    }

    /** A job reporting every {@code step} seconds: its source's records out per second. */
    private static void record(
            List<MetricSnapshot> recording,
            String name,
            long length,
            long step,
            LongToDoubleFunction rate) {
        String jobId = String.format("%032x", (long) name.hashCode() & 0xffffffffL);
        for (long t = 0; t < length; t += step) {
            long time = START + t * 1000;
            Map<String, Double> job = new LinkedHashMap<>();
            job.put(FlinkMetricNames.UPTIME, (double) (DAY + t) * 1000);
            recording.add(
                    new MetricSnapshot(
                            time,
                            Scenario.DEFAULT_CLUSTER,
                            new JobRef(jobId, name, "RUNNING", null),
                            Scope.job(),
                            job,
                            null));
            Map<String, Double> source = new LinkedHashMap<>();
            source.put(FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND, 0.0);
            source.put(FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND, rate.applyAsDouble(t));
            recording.add(
                    new MetricSnapshot(
                            time,
                            Scenario.DEFAULT_CLUSTER,
                            JobRef.of(jobId, name),
                            Scope.task(SOURCE_ID, SOURCE, 0, 0),
                            source,
                            null));
        }
    }

    /** Seeded uniform jitter in [-1, 1), a pure function of the series and the second. */
    private static double jitter(long series, long second) {
        return 2 * new SplittableRandom(series * 1_000_003L + second).nextDouble() - 1;
    }
}

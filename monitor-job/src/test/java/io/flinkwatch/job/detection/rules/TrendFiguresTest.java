package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.detection.rules.TrendReplay.firstFiringFrom;
import static io.flinkwatch.job.detection.rules.TrendReplay.jitter;
import static io.flinkwatch.job.detection.rules.TrendReplay.jobFirings;
import static io.flinkwatch.job.detection.rules.TrendReplay.operatorFirings;
import static io.flinkwatch.job.detection.rules.TrendReplay.runningJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.Snapshots;
import java.time.Duration;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The figures of issue #13 (trends that are real, not jitter) for the four trend rules with their
 * default parameters, each series replayed on the 15 s grid without Flink ({@link TrendReplay}), in
 * the default mode (significant) and in the article's (deriv). docs/alerts.md quotes the numbers
 * these tests print.
 */
class TrendFiguresTest {

    private static final long DAY = 86_400;
    private static final long HOUR = 3_600;

    static LagGrowing lag(TrendCriterion criterion) {
        return new LagGrowing(
                Duration.ofMinutes(5), 0, Duration.ofMinutes(5), criterion, Duration.ofSeconds(1));
    }

    static CommitLagGrowing commitLag(TrendCriterion criterion) {
        return new CommitLagGrowing(
                Duration.ofMinutes(5), 0, Duration.ofMinutes(2), Duration.ofMinutes(5), criterion);
    }

    static CheckpointDurationIncreasing duration(TrendCriterion criterion) {
        return new CheckpointDurationIncreasing(
                Duration.ofMinutes(30), Duration.ofMinutes(30), 0, criterion);
    }

    static StateSizeGrowing state(TrendCriterion criterion) {
        return new StateSizeGrowing(Duration.ofHours(1), Duration.ofHours(1), 1024, criterion);
    }

    /**
     * records-lag-max of one source subtask; what it consumes is unknown (no offsets), so the
     * records alone decide the minimum lag.
     */
    static Snapshots lagSample(double lag) {
        return Snapshots.job("orders")
                .operator("Source: orders", 0, 0, "Source: orders")
                .metric("records-lag-max", Math.rint(lag));
    }

    /** The consumed offset of the source's one partition: it moves as records are consumed. */
    static final String OFFSET = "KafkaSourceReader.topic.orders.partition.0.currentOffset";

    /** 10,000 records behind (100 s at 100 records/s), ±5 % uniform jitter. */
    static double jitteredLag(long seed, long second) {
        return 10_000 * (1 + 0.05 * jitter(seed, second));
    }

    @Test
    void aDayOfFlatLagWithFivePercentJitterFiresNothing() {
        int deriv = 0;
        for (long seed = 1; seed <= 7; seed++) {
            long s = seed;
            List<Long> significant =
                    operatorFirings(
                            lag(TrendCriterion.DEFAULT), 0, DAY, t -> lagSample(jitteredLag(s, t)));
            assertThat(significant).as("day %d", seed).isEmpty();
            deriv +=
                    operatorFirings(
                                    lag(TrendCriterion.DERIV),
                                    0,
                                    DAY,
                                    t -> lagSample(jitteredLag(s, t)))
                            .size();
        }
        System.out.printf("FlinkLagGrowing, 7 days of ±5%% jitter: deriv %d firings%n", deriv);
        // The article's rule fires on the same samples: the figure is not met by accident.
        assertThat(deriv).isGreaterThan(7);
    }

    @Test
    void aLagGrowingOnePercentOfItsLevelPerMinuteFiresAsSoonAsPlainDeriv() {
        long start = HOUR;
        LongUnaryOperator noiseFree =
                t -> Math.round(10_000 + (t > start ? 100 * (t - start) / 60.0 : 0));
        long deriv =
                firstFiringFrom(
                        operatorFirings(
                                lag(TrendCriterion.DERIV),
                                0,
                                3 * HOUR,
                                t -> lagSample(noiseFree.applyAsLong(t))),
                        0);
        long significant =
                firstFiringFrom(
                        operatorFirings(
                                lag(TrendCriterion.DEFAULT),
                                0,
                                3 * HOUR,
                                t -> lagSample(noiseFree.applyAsLong(t))),
                        0);
        System.out.printf(
                "FlinkLagGrowing, 1%%/min from %d s: deriv %d s, significant %d s%n",
                start, deriv, significant);
        assertThat(deriv).isBetween(start + 300, start + 330);
        assertThat(significant).isLessThanOrEqualTo(deriv + 15);
    }

    @Test
    void aTwoMinuteSpikeFiresNothing() {
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            // Every hour, the lag doubles for two minutes, on top of the jitter.
            List<Long> significant =
                    operatorFirings(
                            lag(TrendCriterion.DEFAULT),
                            0,
                            DAY,
                            t ->
                                    lagSample(
                                            jitteredLag(s, t)
                                                    * (t % HOUR >= 1800 && t % HOUR < 1920
                                                            ? 2
                                                            : 1)));
            assertThat(significant).as("day %d", seed).isEmpty();
        }
        List<Long> clean =
                operatorFirings(
                        lag(TrendCriterion.DEFAULT),
                        0,
                        DAY,
                        t -> lagSample(t % HOUR >= 1800 && t % HOUR < 1920 ? 20_000 : 10_000));
        assertThat(clean).isEmpty();
    }

    @Test
    void aLagOfAFractionOfASecondIsNoIncidentHoweverItGrows() {
        // 2,000 → 2,100 records at 10,000 records/s: a clean rise, 0.2 s behind.
        List<Long> firings =
                operatorFirings(
                        lag(TrendCriterion.DEFAULT),
                        0,
                        HOUR,
                        t ->
                                Snapshots.job("orders")
                                        .operator("Source: orders", 0, 0, "Source: orders")
                                        .metric("records-lag-max", 2_000 + Math.min(t, 3000) / 30)
                                        .metric(OFFSET, 10_000 * t));
        assertThat(firings).isEmpty();
        // The article's rule has no notion of time.
        assertThat(
                        operatorFirings(
                                lag(TrendCriterion.DERIV),
                                0,
                                HOUR,
                                t ->
                                        Snapshots.job("orders")
                                                .operator("Source: orders", 0, 0, "Source: orders")
                                                .metric(
                                                        "records-lag-max",
                                                        2_000 + Math.min(t, 3000) / 30)
                                                .metric(OFFSET, 10_000 * t)))
                .isNotEmpty();
    }

    /** lastCheckpointDuration (and nothing else): a checkpoint every 60 s. */
    static Snapshots durationSample(long second, double durationMs) {
        return runningJob(second).metric("lastCheckpointDuration", Math.rint(durationMs));
    }

    static Snapshots stateSample(long second, double bytes) {
        return runningJob(second).metric("lastCheckpointFullSize", Math.rint(bytes));
    }

    /** The time of the newest checkpoint at {@code second}: one a minute. */
    static long checkpointAt(long second) {
        return second / 60 * 60;
    }

    @Test
    void checkpointDurationRisingFrom5To40SecondsInAnHourFiresAsSoonAsPlainDeriv() {
        long start = 2 * HOUR;
        LongUnaryOperator durationAt =
                t -> {
                    long c = checkpointAt(t);
                    return Math.round(
                            5_000 + 35_000.0 * Math.max(0, Math.min(c - start, HOUR)) / HOUR);
                };
        long deriv =
                firstFiringFrom(
                        jobFirings(
                                duration(TrendCriterion.DERIV),
                                0,
                                5 * HOUR,
                                t -> durationSample(t, durationAt.applyAsLong(t))),
                        0);
        long significant =
                firstFiringFrom(
                        jobFirings(
                                duration(TrendCriterion.DEFAULT),
                                0,
                                5 * HOUR,
                                t -> durationSample(t, durationAt.applyAsLong(t))),
                        0);
        System.out.printf(
                "FlinkCheckpointDurationIncreasing, 5 s → 40 s in an hour from %d s: deriv %d s,"
                        + " significant %d s%n",
                start, deriv, significant);
        assertThat(deriv).isBetween(start + 1800, start + 1900);
        assertThat(significant).isLessThanOrEqualTo(deriv + 15);
    }

    @Test
    void stateGrowingTwoKibPerSecondFiresAsSoonAsPlainDeriv() {
        long start = 2 * HOUR;
        LongUnaryOperator sizeAt = t -> 50_000_000L + 2048 * Math.max(0, checkpointAt(t) - start);
        long deriv =
                firstFiringFrom(
                        jobFirings(
                                state(TrendCriterion.DERIV),
                                0,
                                6 * HOUR,
                                t -> stateSample(t, sizeAt.applyAsLong(t))),
                        0);
        long significant =
                firstFiringFrom(
                        jobFirings(
                                state(TrendCriterion.DEFAULT),
                                0,
                                6 * HOUR,
                                t -> stateSample(t, sizeAt.applyAsLong(t))),
                        0);
        System.out.printf(
                "FlinkStateSizeGrowing, 2 KiB/s from %d s: deriv %d s, significant %d s%n",
                start, deriv, significant);
        assertThat(deriv).isBetween(start + HOUR, start + 2 * HOUR);
        assertThat(significant).isLessThanOrEqualTo(deriv + 15);
    }

    @Test
    void aGaugeFrozenWhileCheckpointsFailFiresNothingByItself() {
        int deriv = 0;
        for (long seed = 1; seed <= 10; seed++) {
            long s = seed;
            // ±5 % per checkpoint; the last checkpoint before the failures at 3 h took 1.5 times
            // as long, and the gauges stay there for three hours.
            long failing = 3 * HOUR;
            LongUnaryOperator durationAt =
                    t -> {
                        long c = Math.min(checkpointAt(t), failing - 60);
                        double slow = c == failing - 60 ? 1.5 : 1;
                        return Math.round(5_000 * slow * (1 + 0.05 * jitter(s, c)));
                    };
            LongUnaryOperator sizeAt =
                    t -> {
                        long c = Math.min(checkpointAt(t), failing - 60);
                        double large = c == failing - 60 ? 1.02 : 1;
                        return Math.round(50e6 * large * (1 + 0.005 * jitter(s + 100, c)));
                    };
            assertThat(
                            jobFirings(
                                    duration(TrendCriterion.DEFAULT),
                                    0,
                                    6 * HOUR,
                                    t -> durationSample(t, durationAt.applyAsLong(t))))
                    .as("durations, seed %d", seed)
                    .isEmpty();
            assertThat(
                            jobFirings(
                                    state(TrendCriterion.DEFAULT),
                                    0,
                                    6 * HOUR,
                                    t -> stateSample(t, sizeAt.applyAsLong(t))))
                    .as("state, seed %d", seed)
                    .isEmpty();
            deriv +=
                    jobFirings(
                                            duration(TrendCriterion.DERIV),
                                            0,
                                            6 * HOUR,
                                            t -> durationSample(t, durationAt.applyAsLong(t)))
                                    .size()
                            + jobFirings(
                                            state(TrendCriterion.DERIV),
                                            0,
                                            6 * HOUR,
                                            t -> stateSample(t, sizeAt.applyAsLong(t)))
                                    .size();
        }
        System.out.printf("Frozen gauges, 10 × 6 h: deriv %d firings%n", deriv);
    }

    @Test
    void flatJitterFiresNoOtherTrendEither() {
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            assertThat(
                            jobFirings(
                                    duration(TrendCriterion.DEFAULT),
                                    0,
                                    DAY,
                                    t -> durationSample(t, 5_000 * (1 + 0.05 * jitter(s, t / 60)))))
                    .as("durations, day %d", seed)
                    .isEmpty();
            // 20,000 records consumed but not committed (more than two minutes at 100/s), ±5 %.
            assertThat(
                            operatorFirings(
                                    commitLag(TrendCriterion.DEFAULT),
                                    0,
                                    DAY,
                                    t -> commitSample(t, 20_000 * (1 + 0.05 * jitter(s, t)))))
                    .as("commit lag, day %d", seed)
                    .isEmpty();
        }
    }

    /** One partition consumed at 100 records/s, {@code uncommitted} records behind its commits. */
    static Snapshots commitSample(long second, double uncommitted) {
        String partition = "KafkaSourceReader.topic.orders.partition.0.";
        return Snapshots.job("orders")
                .operator("Source: orders", 0, 0, "Source: orders")
                .metric(partition + "currentOffset", 100 * second)
                .metric(partition + "committedOffset", 100 * second - Math.rint(uncommitted));
    }
}

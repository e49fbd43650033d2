package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.analytics.operator.OperatorRule.OperatorView;
import io.flinkwatch.job.analytics.operator.OperatorSamples;
import io.flinkwatch.job.detection.RuleOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** The operator rules over one Kafka source subtask's series (a sample every 10 s). */
class OperatorRulesTest {

    private static final long LOOKBACK = seconds(300);

    @Test
    void aLagThatKeepsGrowingHoldsWithTheLagInSeconds() {
        // 100 records more every 10 s, consuming 50 records/s: 10/s of growth.
        OperatorSamples source =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric("records-lag-max", 1000 + 10 * t)
                                        .metric(OFFSET, 50 * t));

        List<RuleOutcome> holding = evaluate(lagGrowing(0), source, 600);

        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).labels())
                .containsEntry("task_name", "Source: orders")
                .containsEntry("subtask_index", "0")
                .containsEntry("operator_name", "Source: orders");
        assertThat(holding.get(0).evidence().values().get("lagSlopePerSecond"))
                .isCloseTo(10.0, within(1e-9));
        // 7000 records behind at 50 records/s: 140 s.
        assertThat(holding.get(0).evidence().values().get("lagSeconds"))
                .isCloseTo(140.0, within(1e-9));
    }

    @Test
    void aLagThatComesAndGoesDoesNotHoldForLong() {
        // A healthy consumer: lag waves between 20 and 60 with a two-minute period.
        OperatorSamples source =
                history(
                        0,
                        1200,
                        t ->
                                kafka(t).metric(
                                                "records-lag-max",
                                                40 + 20 * Math.sin(2 * Math.PI * t / 120)));
        LagGrowing rule = lagGrowing(0);

        int holding = 0;
        int longestRun = 0;
        for (long t = 300; t <= 1200; t += 15) {
            holding = evaluate(rule, source, t).isEmpty() ? 0 : holding + 1;
            longestRun = Math.max(longestRun, holding);
        }
        // Never 5 minutes (20 evaluations) in a row.
        assertThat(longestRun).isLessThan(20);
    }

    @Test
    void theMinimumSlopeFiltersSlowGrowth() {
        OperatorSamples source =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric(
                                                "KafkaSourceReader.KafkaConsumer.records-lag-max",
                                                1000 + t));
        assertThat(evaluate(lagGrowing(0), source, 600)).hasSize(1);
        assertThat(evaluate(lagGrowing(2), source, 600)).isEmpty();
    }

    @Test
    void commitLagIsConsumedMinusCommittedOverPartitions() {
        // Two partitions consumed at 100/s each; commits stopped at 0 s.
        OperatorSamples source =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric(
                                                "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                                                100 * t)
                                        .metric(
                                                "KafkaSourceReader.topic.orders.partition.0.committedOffset",
                                                0)
                                        .metric(
                                                "KafkaSourceReader.topic.orders.partition.1.currentOffset",
                                                100 * t)
                                        .metric(
                                                "KafkaSourceReader.topic.orders.partition.1.committedOffset",
                                                0));

        List<RuleOutcome> holding = evaluate(commitLagGrowing(), source, 600);

        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).evidence().values())
                .containsEntry("uncommittedRecords", 120_000.0);
        assertThat(holding.get(0).evidence().values().get("commitLagSlopePerSecond"))
                .isCloseTo(200.0, within(1e-6));
    }

    @Test
    void commitsOnEveryCheckpointKeepTheCommitLagFromGrowing() {
        // Committed offsets catch up every minute (a checkpoint): a sawtooth, no trend.
        OperatorSamples source =
                history(
                        0,
                        1200,
                        t ->
                                kafka(t).metric(
                                                "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                                                100 * t)
                                        .metric(
                                                "KafkaSourceReader.topic.orders.partition.0.committedOffset",
                                                100 * (t / 60 * 60)));
        CommitLagGrowing rule = commitLagGrowing();
        int run = 0;
        int longest = 0;
        for (long t = 300; t <= 1200; t += 15) {
            run = evaluate(rule, source, t).isEmpty() ? 0 : run + 1;
            longest = Math.max(longest, run);
        }
        assertThat(longest).isLessThan(20);
    }

    @Test
    void aGapWithinWhatCheckpointsLeaveUncommittedDoesNotHold() {
        // Commits stopped at 0 s: the gap grows at the consumed rate, but only passes two minutes
        // of consumption (2 x 60 s x 100/s) after 120 s.
        OperatorSamples source =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric(
                                                "KafkaSourceReader.topic.orders.partition.0.currentOffset",
                                                100 * t)
                                        .metric(
                                                "KafkaSourceReader.topic.orders.partition.0.committedOffset",
                                                0));
        CommitLagGrowing rule = commitLagGrowing();

        assertThat(evaluate(rule, source, 90)).isEmpty();
        assertThat(evaluate(rule, source, 135)).hasSize(1);
    }

    @Test
    void theLagPollersEstimateInSecondsIsTheEvidenceWhenItIsSent() {
        // The consumer-group lag poller sends its own estimate, read off the log-end history.
        OperatorSamples group =
                history(
                        0,
                        600,
                        t ->
                                Snapshots.job("orders")
                                        .operator("Kafka consumer group g", 0, -1, "orders")
                                        .external()
                                        .metric("records-lag-max", 1000 + 10 * t)
                                        .metric("records-consumed-rate", 50)
                                        .metric("consumer-group-lag-seconds", 30 + t / 10.0));

        List<RuleOutcome> holding = evaluate(lagGrowing(0), group, 600);

        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).evidence().values().get("lagSeconds"))
                .isCloseTo(90.0, within(1e-9));
        assertThat(holding.get(0).evidence().values().get("recordsConsumedPerSecond"))
                .isCloseTo(50.0, within(1e-9));
    }

    @Test
    void theMinimumLagIsJudgedInSecondsByThePollersEstimateFirst() {
        // 2,000 records growing by 1 a second, consumed at 10,000 records/s: 0.2 s behind.
        LongFunction<Snapshots> fast =
                t -> kafka(t).metric("records-lag-max", 2000 + t).metric(OFFSET, 10_000 * t);
        assertThat(evaluate(lagGrowing(0), history(0, 600, fast), 600)).isEmpty();
        // The poller estimates 30 s (the log end moves slowly): that is what counts.
        assertThat(
                        evaluate(
                                lagGrowing(0),
                                history(
                                        0,
                                        600,
                                        t ->
                                                fast.apply(t)
                                                        .metric("consumer-group-lag-seconds", 30)),
                                600))
                .hasSize(1);
        // Nothing consumed: behind without bound.
        assertThat(
                        evaluate(
                                lagGrowing(0),
                                history(
                                        0,
                                        600,
                                        t ->
                                                kafka(t).metric("records-lag-max", 2000 + t)
                                                        .metric(OFFSET, 5_000)),
                                600))
                .hasSize(1);
        // The article's rule has no minimum lag.
        assertThat(
                        evaluate(
                                new LagGrowing(
                                        Duration.ofMinutes(5),
                                        0,
                                        Duration.ofMinutes(5),
                                        TrendCriterion.DERIV,
                                        Duration.ofSeconds(1)),
                                history(0, 600, fast),
                                600))
                .hasSize(1);
    }

    @Test
    void pendingCompactionsOnAnyColumnFamilyHold() {
        OperatorSamples map =
                history(
                        0,
                        60,
                        t ->
                                Snapshots.job("orders")
                                        .operator("Map: enrich", 1, 0, "enrich")
                                        .metric("state-a.rocksdb.compaction-pending", 0)
                                        .metric("state-b.rocksdb.compaction-pending", 1));
        List<RuleOutcome> holding =
                evaluate(new RocksDbCompactionPending(1, Duration.ofMinutes(15)), map, 60);
        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).labels())
                .containsEntry("operator_name", "enrich")
                .containsEntry("subtask_index", "1");
    }

    /** The defaults: 5m range and duration, a significant rise, at least 1 s behind. */
    /**
     * A source consuming 100 of its 500 records/s, as on the Flink 2.2 cluster with a throttled
     * sink: its consumer learns the log end only when it fetches, every 200 s, so its record counts
     * fall between fetches while the backlog grows; its lag in time grows 0.8 s a second.
     */
    private static Snapshots backpressured(long t) {
        double stale = 20_000 - 100 * (t % 200);
        return kafka(t).metric("records-lag-max", stale)
                .metric("pendingRecords", stale)
                .metric(OFFSET, 100 * t)
                .metric("currentEmitEventTimeLag", 800 * t);
    }

    @Test
    void aBackpressuredSourceIsJudgedByItsLagInTimeNotByItsStaleRecordCounts() {
        List<RuleOutcome> holding =
                evaluate(lagGrowing(0), history(0, 600, OperatorRulesTest::backpressured), 600);

        assertThat(holding).hasSize(1);
        RuleOutcome lag = holding.get(0);
        assertThat(lag.evidence().facts()).containsEntry("signal", "currentEmitEventTimeLag");
        assertThat(lag.evidence().values().get("lagSeconds")).isCloseTo(480.0, within(1e-9));
        assertThat(lag.evidence().values().get("lagSecondsGrowthPerMinute"))
                .isCloseTo(48.0, within(1e-6));
        assertThat(lag.evidence().values().get("recordsConsumedPerSecond"))
                .isCloseTo(100.0, within(1e-9));
        // 0.8 s a second at 100 records/s consumed: 500 arrive, 400 a second more behind.
        assertThat(lag.evidence().values().get("lagSlopePerSecond")).isCloseTo(400.0, within(1e-6));
        assertThat(lagGrowing(0).summary(lag.labels(), lag.evidence()))
                .isEqualTo(
                        "Consumer lag keeps growing: Flink job orders, Source: orders subtask 0"
                                + " on prod is 8 min behind, 48 s more every minute");

        // Without its lag in time, the stale counts decide: at this phase they are falling.
        OperatorSamples countsOnly =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric("records-lag-max", 20_000 - 100 * (t % 200))
                                        .metric(OFFSET, 100 * t));
        assertThat(evaluate(lagGrowing(0), countsOnly, 590)).isEmpty();
    }

    @Test
    void anIdleSourceWhoseLagInTimeGrowsByItselfIsNoIncident() {
        // No record arrives: nothing consumed, nothing waiting, the last record only gets older.
        OperatorSamples idle =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric("pendingRecords", 0)
                                        .metric(OFFSET, 5_000)
                                        .metric("currentEmitEventTimeLag", 1000 * t));

        assertThat(evaluate(lagGrowing(0), idle, 600)).isEmpty();
    }

    @Test
    void aSourceCatchingUpIsNoIncident() {
        // Back after an outage, consuming at full speed: a large backlog, its age shrinking.
        OperatorSamples catchingUp =
                history(
                        0,
                        600,
                        t ->
                                kafka(t).metric("pendingRecords", 500_000 - 600 * t)
                                        .metric(OFFSET, 1_100 * t)
                                        .metric("currentEmitEventTimeLag", 1_000_000 - 500 * t));

        assertThat(evaluate(lagGrowing(0), catchingUp, 600)).isEmpty();
    }

    @Test
    void anUnknownConsumptionRateLeavesTheLagInSecondsUnknown() {
        // Neither offsets nor a lag in time: how far behind in time is unknown, not unbounded.
        OperatorSamples countsOnly =
                history(0, 600, t -> kafka(t).metric("records-lag-max", 1000 + 10 * t));

        List<RuleOutcome> holding = evaluate(lagGrowing(0), countsOnly, 600);

        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).evidence().values())
                .doesNotContainKeys("lagSeconds", "recordsConsumedPerSecond");
        assertThat(holding.get(0).evidence().facts()).doesNotContainKey("lagSeconds");
        assertThat(lagGrowing(0).summary(holding.get(0).labels(), holding.get(0).evidence()))
                .isEqualTo(
                        "Consumer lag keeps growing: Flink job orders, Source: orders subtask 0"
                                + " on prod is 7,000 records behind");
    }

    @Test
    void theConsumptionIsReadFromOffsetsWhateverPartitionsComeAndGo() {
        // 100 records/s on partition 0; partition 1, at offset 1,000,000, is assigned at 300 s.
        OperatorSamples source =
                history(
                        0,
                        600,
                        t -> {
                            Snapshots snapshot = kafka(t).metric(OFFSET, 100 * t);
                            return t < 300
                                    ? snapshot
                                    : snapshot.metric(
                                            "KafkaSourceReader.topic.orders.partition.1.currentOffset",
                                            1_000_000 + 50 * (t - 300));
                        });

        assertThat(source.consumedPerSecond(seconds(290), seconds(60), LOOKBACK))
                .isCloseTo(100.0, within(1e-9));
        assertThat(source.consumedPerSecond(seconds(600), seconds(60), LOOKBACK))
                .isCloseTo(150.0, within(1e-9));
        // Across the assignment: 6,000 records consumed in the minute, not the new partition's
        // offset of a million (the ten seconds in which it came count nothing).
        assertThat(source.consumedPerSecond(seconds(320), seconds(60), LOOKBACK))
                .isCloseTo(100.0, within(1e-9));
    }

    private static LagGrowing lagGrowing(double minSlope) {
        return new LagGrowing(
                Duration.ofMinutes(5),
                minSlope,
                Duration.ofMinutes(5),
                TrendCriterion.DEFAULT,
                Duration.ofSeconds(1));
    }

    private static CommitLagGrowing commitLagGrowing() {
        return new CommitLagGrowing(
                Duration.ofMinutes(5),
                0,
                Duration.ofMinutes(2),
                Duration.ofMinutes(5),
                TrendCriterion.DEFAULT);
    }

    /** The consumed offset of the source's one partition: it moves as records are consumed. */
    private static final String OFFSET = "KafkaSourceReader.topic.orders.partition.0.currentOffset";

    private static Snapshots kafka(long t) {
        return Snapshots.job("orders").operator("Source: orders", 0, 0, "Source: orders");
    }

    private static OperatorSamples history(long from, long to, LongFunction<Snapshots> at) {
        OperatorSamples samples = new OperatorSamples();
        for (long t = from; t <= to; t += 10) {
            samples.add(at.apply(t).at(seconds(t)).build());
        }
        return samples;
    }

    private static List<RuleOutcome> evaluate(
            OperatorRule rule, OperatorSamples samples, long second) {
        List<RuleOutcome> holding = new ArrayList<>();
        rule.evaluate(
                new OperatorView("prod", "orders", "job-1", List.of(samples)),
                seconds(second),
                LOOKBACK,
                holding);
        return holding;
    }
}

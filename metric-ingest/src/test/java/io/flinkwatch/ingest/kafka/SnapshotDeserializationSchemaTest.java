package io.flinkwatch.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SnapshotDeserializationSchemaTest {

    private static final long T = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private final MovingClock wallClock = new MovingClock(T + 3_600_000);
    private final SnapshotDeserializationSchema schema =
            new SnapshotDeserializationSchema(
                    SnapshotParser.withDefaults(),
                    new SnapshotDeserializationSchema.ClockSettings(
                            Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofSeconds(90)),
                    wallClock);

    @Test
    void aSnapshotIsLateOnlyAgainstItsOwnJobAndTheDeadLetterNamesTheJob() {
        // Job "fast" is a minute ahead of job "slow"; both share partition 0.
        assertThat(only(record(0, "fast", T + 60_000)).isAccepted()).isTrue();
        assertThat(only(record(0, "slow", T)).isAccepted()).isTrue();
        assertThat(only(record(0, "slow", T - 10_000)).isAccepted()).as("10 s back").isTrue();

        IngestedRecord late = only(record(0, "slow", T - 20_000));

        assertThat(late.isAccepted()).isFalse();
        assertThat(late.deadLetter().reason()).isEqualTo(RejectionReason.LATE);
        assertThat(late.deadLetter().message())
                .contains("20s older than the newest snapshot of its job")
                .contains("job 'slow'")
                .contains("cluster 'c'");
        assertThat(late.clockSkew()).isNull();
    }

    @Test
    void aJobWhoseClockIsFarOffBecomesClockSkewWithTheJobAndTheOffset() {
        // Two jobs agree; a third is 20 minutes ahead of them.
        only(record(0, "a", T));
        only(record(0, "b", T + 1_000));
        wallClock.advance(Duration.ofSeconds(1));
        only(record(0, "a", T + 15_000));

        IngestedRecord skewed = only(record(0, "ahead", T + 20 * 60_000));

        assertThat(skewed.isAccepted()).isFalse();
        assertThat(skewed.deadLetter().reason()).isEqualTo(RejectionReason.CLOCK_SKEW);
        assertThat(skewed.deadLetter().message())
                .contains("job 'ahead'")
                .contains("cluster 'c'")
                .contains("19m59s ahead of the other jobs of partition 0");
        assertThat(skewed.clockSkew().jobName()).isEqualTo("ahead");
        assertThat(skewed.clockSkew().cluster()).isEqualTo("c");
        // Against the consensus: the median of the two agreeing jobs (the lower of two).
        assertThat(skewed.clockSkew().offsetMs()).isEqualTo(20 * 60_000 - 1_000);
        assertThat(skewed.clockSkew().againstMonitorClock()).isFalse();
        // The snapshot is still there, for the dead letter's reader and the alert.
        assertThat(skewed.snapshot().job().name()).isEqualTo("ahead");
    }

    @Test
    void partitionsKeepTheirOwnTime() {
        only(record(0, "a", T));
        only(record(0, "b", T));
        wallClock.advance(Duration.ofSeconds(1));
        only(record(0, "a", T + 1_000));

        // In partition 1, a job 20 minutes behind partition 0's jobs is alone: nothing to judge by.
        assertThat(only(record(1, "other", T - 20 * 60_000)).isAccepted()).isTrue();
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, String job, long at) {
        MetricSnapshot snapshot =
                new MetricSnapshot(
                        at,
                        "c",
                        JobRef.of(job + "-id", job),
                        Scope.job(),
                        Map.of("uptime", 1.0),
                        null);
        return new ConsumerRecord<>(
                "metrics", partition, 0L, null, SnapshotWriter.toJson(snapshot));
    }

    /** A wall clock the test moves. */
    private static final class MovingClock extends Clock {
        private long millis;

        MovingClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration duration) {
            millis += duration.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aValidRecordBecomesASnapshotThatRemembersWhereItCameFrom() {
        MetricSnapshot snapshot =
                new MetricSnapshot(
                        Instant.parse("2026-01-05T00:00:00Z").toEpochMilli(),
                        "c",
                        JobRef.of("i", "n"),
                        Scope.job(),
                        Map.of("uptime", 1.0),
                        null);
        byte[] bytes = SnapshotWriter.toJson(snapshot);

        IngestedRecord record = only(new ConsumerRecord<>("metrics", 2, 17L, null, bytes));

        assertThat(record.snapshot()).isEqualTo(snapshot);
        assertThat(record.deadLetter()).isNull();
        assertThat(record.origin().partition()).isEqualTo(2);
        assertThat(record.origin().offset()).isEqualTo(17L);
    }

    @Test
    void anInvalidRecordBecomesADeadLetterInsteadOfAnException() {
        byte[] bytes = "garbage".getBytes(StandardCharsets.UTF_8);

        IngestedRecord record = only(new ConsumerRecord<>("metrics", 1, 5L, null, bytes));

        assertThat(record.isAccepted()).isFalse();
        assertThat(record.deadLetter().reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(record.deadLetter().topic()).isEqualTo("metrics");
        assertThat(record.deadLetter().offset()).isEqualTo(5L);
        assertThat(record.deadLetter().raw()).isEqualTo(bytes);
    }

    @Test
    void aTombstoneBecomesADeadLetter() {
        IngestedRecord record = only(new ConsumerRecord<>("metrics", 0, 9L, null, null));

        assertThat(record.deadLetter().reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(record.deadLetter().rawSize()).isZero();
    }

    private IngestedRecord only(ConsumerRecord<byte[], byte[]> consumerRecord) {
        List<IngestedRecord> out = new ArrayList<>();
        schema.deserialize(
                consumerRecord,
                new Collector<>() {
                    @Override
                    public void collect(IngestedRecord record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}

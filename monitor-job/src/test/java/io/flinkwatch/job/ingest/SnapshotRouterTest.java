package io.flinkwatch.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.job.Snapshots;
import java.nio.charset.StandardCharsets;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class SnapshotRouterTest {

    @Test
    void deadLettersGoToTheSideOutputAndAreCounted() throws Exception {
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new SnapshotRouter())) {
            DeadLetter letter =
                    DeadLetter.of(RejectionReason.INVALID_FIELD, "metrics.x must be a number", "m", 0, 7, 0, new byte[] {1});
            harness.processElement(new StreamRecord<>(IngestedRecord.rejected(letter), Long.MIN_VALUE));

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(SnapshotRouter.DEAD_LETTERS)).extracting(StreamRecord::getValue).containsExactly(letter);
        }
    }

    @Test
    void aSnapshotBehindTheWatermarkIsDeadLetteredAsLate() throws Exception {
        try (OneInputStreamOperatorTestHarness<IngestedRecord, MetricSnapshot> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new SnapshotRouter())) {
            MetricSnapshot onTime = Snapshots.job("a").at(2000).build();
            MetricSnapshot late = Snapshots.job("a").at(1000).build();
            byte[] raw = "{...}".getBytes(StandardCharsets.UTF_8);

            harness.processWatermark(1000);
            harness.processElement(new StreamRecord<>(accepted(onTime, raw), 2000));
            harness.processElement(new StreamRecord<>(accepted(late, raw), 1000));

            assertThat(harness.extractOutputValues()).containsExactly(onTime);
            DeadLetter letter = harness.getSideOutput(SnapshotRouter.DEAD_LETTERS).poll().getValue();
            assertThat(letter.reason()).isEqualTo(RejectionReason.LATE);
            assertThat(letter.message()).contains("arrived after event time had reached").contains("--watermark.out-of-orderness");
            assertThat(letter.raw()).isEqualTo(raw);
            assertThat(letter.offset()).isEqualTo(3);
        }
    }

    private static IngestedRecord accepted(MetricSnapshot snapshot, byte[] raw) {
        return IngestedRecord.accepted(snapshot, new IngestedRecord.Origin("m", 0, 3, 0, raw));
    }
}

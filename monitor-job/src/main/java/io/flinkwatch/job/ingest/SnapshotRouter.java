package io.flinkwatch.job.ingest;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage after the source: valid snapshots go on; records that could not be parsed,
 * and valid snapshots that arrive after event time has passed them, go to the dead-letter side
 * output with the reason. Every dead letter is counted, in total ({@code numDeadLetters}) and by
 * reason ({@code deadLetters.<REASON>}).
 */
public final class SnapshotRouter extends ProcessFunction<IngestedRecord, MetricSnapshot> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRouter.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));

    private transient Counter deadLetters;
    private transient Map<RejectionReason, Counter> deadLettersByReason;
    private transient Counter accepted;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        deadLetters = metrics.counter("numDeadLetters");
        accepted = metrics.counter("numSnapshotsAccepted");
        MetricGroup byReason = metrics.addGroup("deadLetters");
        deadLettersByReason = new EnumMap<>(RejectionReason.class);
        for (RejectionReason reason : RejectionReason.values()) {
            deadLettersByReason.put(reason, byReason.counter(reason.name()));
        }
    }

    @Override
    public void processElement(IngestedRecord record, Context ctx, Collector<MetricSnapshot> out) {
        if (!record.isAccepted()) {
            deadLetter(record.deadLetter(), ctx);
            return;
        }
        MetricSnapshot snapshot = record.snapshot();
        long watermark = ctx.timerService().currentWatermark();
        if (snapshot.timestamp() <= watermark) {
            deadLetter(
                    record.origin()
                            .reject(
                                    RejectionReason.LATE,
                                    "snapshot taken at "
                                            + Instant.ofEpochMilli(snapshot.timestamp())
                                            + " arrived after event time had reached "
                                            + Instant.ofEpochMilli(watermark)
                                            + " ("
                                            + Duration.ofMillis(watermark - snapshot.timestamp())
                                            + " too late); raise --watermark.out-of-orderness if"
                                            + " snapshots are regularly this late"),
                    ctx);
            return;
        }
        accepted.inc();
        out.collect(snapshot);
    }

    private void deadLetter(DeadLetter letter, Context ctx) {
        deadLetters.inc();
        deadLettersByReason.get(letter.reason()).inc();
        LOG.debug("Dead letter: {}", letter);
        ctx.output(DEAD_LETTERS, letter);
    }
}

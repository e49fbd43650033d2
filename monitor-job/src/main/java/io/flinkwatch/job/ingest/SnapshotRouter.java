package io.flinkwatch.job.ingest;

import io.flinkwatch.ingest.deadletter.DeadLetter;
import io.flinkwatch.ingest.kafka.IngestedRecord;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage after the source: accepted snapshots go on; records the source rejected (could
 * not be parsed, LATE against their own job's newest snapshot, CLOCK_SKEW) go to the dead-letter
 * side output with the reason. Accepted snapshots are counted ({@code numSnapshotsAccepted}, with
 * the meter {@code numSnapshotsAcceptedPerSecond}); every dead letter is counted, in total ({@code
 * numDeadLetters}, {@code numDeadLettersPerSecond}) and by reason (group {@code reason}, one
 * counter per {@link RejectionReason}, resolved once at open: see {@link FlinkwatchMetrics}); jobs
 * whose clocks are off go to {@link #CLOCK_SKEWS} too.
 *
 * <p>A snapshot behind the watermark is not late: event time waits for every job's clock within the
 * bound, so only a job that first appears (or returns) behind it arrives there, and the analytics
 * start evaluating it at the watermark.
 *
 * <p>It also watches its own event time, since every rule runs on it: the gauge {@code
 * eventTimeLagMs} is how far the watermark is behind the wall clock, and when that exceeds the
 * threshold a warning (at most one a minute) names the partition that holds it back ({@link
 * EventTimeLag}).
 */
public final class SnapshotRouter extends ProcessFunction<IngestedRecord, MetricSnapshot> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRouter.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>(
                    "dead-letters",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));

    /** Jobs whose clocks are off by more than the bound, for FlinkwatchClockSkew. */
    public static final OutputTag<IngestedRecord.ClockSkew> CLOCK_SKEWS =
            new OutputTag<>(
                    "clock-skews",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(
                            IngestedRecord.ClockSkew.class));

    /** Where each job's snapshots come from, when that is news (for FlinkwatchInputSilent). */
    public static final OutputTag<JobOrigin> ORIGINS =
            new OutputTag<>(
                    "job-origins",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(JobOrigin.class));

    /** Bounds the origins remembered; forgetting only sends an origin again. */
    private static final int MAX_REMEMBERED_ORIGINS = 100_000;

    private final long lagWarningMs;
    private final long idlenessMs;

    private transient Counter deadLetters;
    private transient Map<RejectionReason, Counter> deadLettersByReason;
    private transient Counter accepted;
    private transient EventTimeLag eventTimeLag;
    private transient Map<String, Integer> origins;

    /**
     * @param lagWarning event-time lag behind the wall clock above which to warn; zero never warns
     *     (replays, whose event time is in the past)
     * @param idleness the watermark generator's idleness timeout, so that idle partitions are not
     *     blamed
     */
    public SnapshotRouter(Duration lagWarning, Duration idleness) {
        this.lagWarningMs = lagWarning.toMillis();
        this.idlenessMs = idleness.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        origins = new java.util.HashMap<>();
        EventTimeLag lag = new EventTimeLag(lagWarningMs, idlenessMs);
        eventTimeLag = lag;
        metrics.gauge(
                FlinkwatchMetrics.EVENT_TIME_LAG,
                (Gauge<Long>) () -> lag.lagMs(System.currentTimeMillis()));
        deadLetters = metrics.counter(FlinkwatchMetrics.DEAD_LETTERS);
        metrics.meter(FlinkwatchMetrics.DEAD_LETTERS_RATE, new MeterView(deadLetters));
        accepted = metrics.counter(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED);
        metrics.meter(FlinkwatchMetrics.SNAPSHOTS_ACCEPTED_RATE, new MeterView(accepted));
        // Resolved once: a dead letter costs an EnumMap lookup, no name built per record.
        deadLettersByReason = new EnumMap<>(RejectionReason.class);
        for (RejectionReason reason : RejectionReason.values()) {
            deadLettersByReason.put(
                    reason,
                    metrics.addGroup(FlinkwatchMetrics.REASON, reason.name())
                            .counter(FlinkwatchMetrics.DEAD_LETTERS));
        }
    }

    @Override
    public void processElement(IngestedRecord record, Context ctx, Collector<MetricSnapshot> out) {
        long watermark = ctx.timerService().currentWatermark();
        long now = System.currentTimeMillis();
        if (!record.isAccepted()) {
            DeadLetter letter = record.deadLetter();
            if (record.clockSkew() != null) {
                ctx.output(CLOCK_SKEWS, record.clockSkew());
            }
            eventTimeLag.onRecord(
                    letter.topic(), letter.partition(), EventTimeLag.NONE, watermark, now);
            warnIfEventTimeLags(now);
            deadLetter(letter, ctx);
            return;
        }
        MetricSnapshot snapshot = record.snapshot();
        // The watermark generator saw it too.
        eventTimeLag.onRecord(
                record.origin().topic(),
                record.origin().partition(),
                snapshot.timestamp(),
                watermark,
                now);
        warnIfEventTimeLags(now);
        accepted.inc();
        noteOrigin(snapshot, record.origin(), ctx);
        out.collect(snapshot);
    }

    private void noteOrigin(MetricSnapshot snapshot, IngestedRecord.Origin origin, Context ctx) {
        String job = snapshot.cluster() + "/" + snapshot.job().name() + "@" + origin.topic();
        Integer before = origins.get(job);
        if (before == null || before != origin.partition()) {
            if (origins.size() >= MAX_REMEMBERED_ORIGINS) {
                origins.clear();
            }
            origins.put(job, origin.partition());
            ctx.output(
                    ORIGINS,
                    new JobOrigin(
                            snapshot.cluster(),
                            snapshot.job().name(),
                            origin.topic(),
                            origin.partition()));
        }
    }

    private void warnIfEventTimeLags(long now) {
        eventTimeLag.warning(now).ifPresent(LOG::warn);
    }

    private void deadLetter(DeadLetter letter, Context ctx) {
        deadLetters.inc();
        deadLettersByReason.get(letter.reason()).inc();
        LOG.debug("Dead letter: {}", letter);
        ctx.output(DEAD_LETTERS, letter);
    }
}

package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.ingest.kafka.IngestedRecord.ClockSkew;
import io.flinkwatch.ingest.kafka.PartitionClock;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires {@link io.flinkwatch.job.detection.rules.ClockSkew FlinkwatchClockSkew} for a job (keyed by
 * cluster and job name) at its first snapshot rejected as CLOCK_SKEW, and resolves it when none has
 * been rejected for the rule's clear-after time.
 *
 * <p>The rejected snapshots carry no usable event time, so the alert is dated by what they were
 * measured against: the partition's consensus time, or this monitor's clock. Live, its signals are
 * applied on arrival (as the absence detector's wall-clock signals are) and the quiet period is
 * measured on the wall clock; in a replay only event time counts, and the same recording gives the
 * same alert.
 */
public final class ClockSkewDetector extends KeyedProcessFunction<String, ClockSkew, AlertSignal> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClockSkewDetector.class);

    private final io.flinkwatch.job.detection.rules.ClockSkew rule;
    private final long clearAfterMs;
    private final boolean wallClock;

    private transient ValueState<SkewedJob> skewed;

    /**
     * @param wallClock whether to watch the wall clock (live); off for replays
     */
    public ClockSkewDetector(io.flinkwatch.job.detection.rules.ClockSkew rule, boolean wallClock) {
        this.rule = rule;
        this.clearAfterMs = rule.clearAfter().toMillis();
        this.wallClock = wallClock;
    }

    /** What the detector remembers of a job whose clock is off. Public fields for Flink's POJO. */
    public static final class SkewedJob {
        public String cluster;
        public String jobName;
        public String jobId;
        public long lastReference = Long.MIN_VALUE;
        public long lastTimestamp;
        public long lastOffsetMs;
        public boolean againstMonitorClock;
        public long lastArrivalWallClock;
        public long eventTimer = Long.MIN_VALUE;
        public long wallClockTimer = Long.MIN_VALUE;
    }

    /** The key of the job a report is about. */
    public static String jobKey(ClockSkew report) {
        return JobKeys.of(report.cluster(), report.jobName());
    }

    @Override
    public void open(OpenContext openContext) {
        skewed =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "clock-skew", TypeInformation.of(SkewedJob.class)));
    }

    @Override
    public void processElement(ClockSkew report, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        SkewedJob job = skewed.value();
        boolean first = job == null;
        if (first) {
            job = new SkewedJob();
            job.cluster = report.cluster();
            job.jobName = report.jobName();
        }
        job.jobId = report.jobId();
        job.lastReference = Math.max(job.lastReference, report.reference());
        job.lastTimestamp = report.timestamp();
        job.lastOffsetMs = report.offsetMs();
        job.againstMonitorClock = report.againstMonitorClock();
        job.lastArrivalWallClock = ctx.timerService().currentProcessingTime();
        if (first) {
            LOG.warn(
                    "The clock of job {} on cluster {} is {} {}: its snapshots are rejected as"
                            + " CLOCK_SKEW",
                    job.jobName,
                    job.cluster,
                    PartitionClock.human(report.offsetMs()),
                    report.againstMonitorClock()
                            ? "against this monitor's clock"
                            : "against the other jobs of its partition");
            out.collect(signal(job, AlertSignal.Kind.FIRE, job.lastReference));
        }
        if (job.eventTimer == Long.MIN_VALUE) {
            job.eventTimer = job.lastReference + clearAfterMs;
            ctx.timerService().registerEventTimeTimer(job.eventTimer);
        }
        if (wallClock && job.wallClockTimer == Long.MIN_VALUE) {
            job.wallClockTimer = job.lastArrivalWallClock + clearAfterMs;
            ctx.timerService().registerProcessingTimeTimer(job.wallClockTimer);
        }
        skewed.update(job);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out)
            throws Exception {
        SkewedJob job = skewed.value();
        if (job == null) {
            return;
        }
        boolean byWallClock = ctx.timeDomain() == TimeDomain.PROCESSING_TIME;
        long quietUntil =
                byWallClock
                        ? job.lastArrivalWallClock + clearAfterMs
                        : job.lastReference + clearAfterMs;
        if (time < quietUntil) {
            // Reports came since the timer was set: look again when they may have stopped.
            if (byWallClock) {
                job.wallClockTimer = quietUntil;
                ctx.timerService().registerProcessingTimeTimer(quietUntil);
            } else {
                job.eventTimer = quietUntil;
                ctx.timerService().registerEventTimeTimer(quietUntil);
            }
            skewed.update(job);
            return;
        }
        LOG.info(
                "No snapshot of job {} on cluster {} rejected for its clock for {} ms: resolved",
                job.jobName,
                job.cluster,
                clearAfterMs);
        out.collect(signal(job, AlertSignal.Kind.RESOLVE, job.lastReference + clearAfterMs));
        if (job.eventTimer != Long.MIN_VALUE && !(!byWallClock && time == job.eventTimer)) {
            ctx.timerService().deleteEventTimeTimer(job.eventTimer);
        }
        if (job.wallClockTimer != Long.MIN_VALUE && !(byWallClock && time == job.wallClockTimer)) {
            ctx.timerService().deleteProcessingTimeTimer(job.wallClockTimer);
        }
        skewed.clear();
    }

    private AlertSignal signal(SkewedJob job, AlertSignal.Kind kind, long time) {
        Map<String, String> labels = AlertInstances.job(rule, job.cluster, job.jobName);
        Evidence evidence =
                Evidence.builder()
                        .value("offsetMs", job.lastOffsetMs)
                        .value("snapshotAt", job.lastTimestamp)
                        .value("referenceAt", job.lastReference)
                        .fact(
                                "against",
                                job.againstMonitorClock
                                        ? "this monitor's clock"
                                        : "the other jobs of its metrics partition")
                        .build();
        return new AlertSignal(
                kind,
                rule.name(),
                Fingerprint.of(labels),
                time,
                time,
                labels,
                job.jobId,
                evidence,
                wallClock);
    }
}

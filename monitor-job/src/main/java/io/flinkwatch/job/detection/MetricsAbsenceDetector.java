package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.ingest.JobHeartbeat;
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
 * Fires {@link MetricsAbsent} for a job (keyed by cluster and job name) that sends no snapshot
 * for the configured time, and resolves it when snapshots return.
 *
 * <p>Two clocks watch each job. An event-time timer at last-snapshot + duration fires when event
 * time (carried by other jobs' snapshots) passes it: deterministic, so replays give the same
 * alerts. A processing-time timer at last-arrival + duration fires when no snapshot has arrived
 * for that long on the wall clock: this catches a silent job that is the only one watched, when
 * event time stands still. Either way the alert is dated last-snapshot + duration; the first clock
 * to ring wins. A job whose last status said it was cancelled or finished is not expected to speak
 * again, and the end of a bounded input is not silence.
 *
 * <p>After a restart of Flinkwatch itself the wall-clock path waits one full duration from the
 * restart, so that publishers get the time to show up again before their jobs are called silent.
 */
public final class MetricsAbsenceDetector
        extends KeyedProcessFunction<String, JobHeartbeat, AlertSignal> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsAbsenceDetector.class);

    private final MetricsAbsent rule;
    private final long afterMs;
    private final boolean wallClock;

    private transient ValueState<JobPresence> presence;
    private transient long startedAtWallClock;

    /**
     * @param wallClock whether to watch the wall clock too; off for replays, where only event time
     *     means anything
     */
    public MetricsAbsenceDetector(MetricsAbsent rule, boolean wallClock) {
        this.rule = rule;
        this.afterMs = rule.after().toMillis();
        this.wallClock = wallClock;
    }

    /** What the detector remembers of a job. Public fields for Flink's POJO serializer. */
    public static final class JobPresence {
        public String cluster;
        public String jobName;
        public String jobId;
        public String status;
        public long lastSnapshotAt = Long.MIN_VALUE;
        public long lastArrivalWallClock;
        public long eventTimer = Long.MIN_VALUE;
        public long wallClockTimer = Long.MIN_VALUE;
        public boolean absent;
    }

    /** The key of the job a heartbeat is about. */
    public static String jobKey(JobHeartbeat heartbeat) {
        return JobKeys.of(heartbeat.cluster(), heartbeat.jobName());
    }

    @Override
    public void open(OpenContext openContext) {
        presence =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("presence", TypeInformation.of(JobPresence.class)));
        startedAtWallClock = Long.MIN_VALUE;
    }

    @Override
    public void processElement(JobHeartbeat heartbeat, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        JobPresence job = presence.value();
        if (job == null) {
            job = new JobPresence();
        }
        job.cluster = heartbeat.cluster();
        job.jobName = heartbeat.jobName();
        if (job.absent) {
            job.absent = false;
            long firedAt = job.lastSnapshotAt + afterMs;
            out.collect(
                    signal(
                            job,
                            AlertSignal.Kind.RESOLVE,
                            Math.max(heartbeat.timestamp(), firedAt),
                            heartbeat.timestamp() - job.lastSnapshotAt,
                            false));
            LOG.info("Metrics of job {} on {} are back", job.jobName, job.cluster);
        }
        if (heartbeat.timestamp() >= job.lastSnapshotAt) {
            job.lastSnapshotAt = heartbeat.timestamp();
            job.jobId = heartbeat.jobId();
            if (heartbeat.status() != null) {
                job.status = heartbeat.status();
            }
        }
        job.lastArrivalWallClock = ctx.timerService().currentProcessingTime();
        noteStart(job.lastArrivalWallClock);
        reschedule(job, ctx);
        presence.update(job);
    }

    private void reschedule(JobPresence job, Context ctx) {
        long eventDeadline = job.lastSnapshotAt + afterMs;
        if (eventDeadline != job.eventTimer) {
            if (job.eventTimer != Long.MIN_VALUE) {
                ctx.timerService().deleteEventTimeTimer(job.eventTimer);
            }
            ctx.timerService().registerEventTimeTimer(eventDeadline);
            job.eventTimer = eventDeadline;
        }
        if (!wallClock) {
            return;
        }
        long wallDeadline = job.lastArrivalWallClock + afterMs;
        if (job.wallClockTimer != Long.MIN_VALUE) {
            ctx.timerService().deleteProcessingTimeTimer(job.wallClockTimer);
        }
        ctx.timerService().registerProcessingTimeTimer(wallDeadline);
        job.wallClockTimer = wallDeadline;
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out) throws Exception {
        JobPresence job = presence.value();
        if (job == null) {
            return;
        }
        boolean byWallClock = ctx.timeDomain() == TimeDomain.PROCESSING_TIME;
        if (byWallClock) {
            if (time != job.wallClockTimer) {
                return;
            }
            job.wallClockTimer = Long.MIN_VALUE;
            noteStart(time);
            long sinceRestart = time - startedAtWallClock;
            if (sinceRestart < afterMs) {
                job.wallClockTimer = startedAtWallClock + afterMs;
                ctx.timerService().registerProcessingTimeTimer(job.wallClockTimer);
                presence.update(job);
                return;
            }
        } else {
            if (time != job.eventTimer) {
                return;
            }
            job.eventTimer = Long.MIN_VALUE;
        }
        if (!job.absent && !JobStatuses.endedOnPurpose(job.status)) {
            job.absent = true;
            LOG.info(
                    "No metrics from job {} on {} since {} ({} clock)",
                    job.jobName,
                    job.cluster,
                    job.lastSnapshotAt,
                    byWallClock ? "wall" : "event-time");
            out.collect(
                    signal(job, AlertSignal.Kind.FIRE, job.lastSnapshotAt + afterMs, afterMs, byWallClock));
        }
        presence.update(job);
    }

    /** The wall-clock time of this instance's first callback: when it (re)started. */
    private void noteStart(long now) {
        if (startedAtWallClock == Long.MIN_VALUE) {
            startedAtWallClock = now;
        }
    }

    private AlertSignal signal(
            JobPresence job, AlertSignal.Kind kind, long time, long silentForMs, boolean wallClock) {
        Map<String, String> labels = AlertInstances.job(rule, job.cluster, job.jobName);
        Evidence evidence =
                Evidence.builder()
                        .value("lastSnapshotAt", job.lastSnapshotAt)
                        .value("silentForMs", silentForMs)
                        .fact("detectedBy", wallClock ? "wall clock" : "event time")
                        .build();
        return new AlertSignal(
                kind,
                rule.name(),
                Fingerprint.of(labels),
                time,
                job.lastSnapshotAt + afterMs,
                labels,
                job.jobId,
                evidence,
                wallClock);
    }
}

package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.ingest.JobHeartbeat;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires {@link MetricsAbsent} for a job (keyed by cluster and job name) that sends no snapshot for
 * the configured time, resolves it when snapshots return, and retires a job silent for the state
 * retention: its alerts resolve and its state here is cleared. The decisions are {@link
 * SilencePolicy}'s; this class keeps the state and the timers.
 *
 * <p>Two clocks watch each job. An event-time timer fires when event time (carried by other jobs'
 * snapshots) passes the deadline: deterministic, so replays give the same alerts. A processing-time
 * timer fires when no snapshot has arrived for that long on the wall clock: this catches a silent
 * job that is the only one watched, when event time stands still. Either way the alert is dated by
 * event time (last snapshot + duration); the first clock to ring wins. A job whose last status said
 * it was cancelled or finished is not expected to speak again, and the end of a bounded input is
 * not silence.
 *
 * <p>After a restart of Flinkwatch itself, the wall clock counts from the restart (the real current
 * time, not the timestamps of timers that became overdue while it was down), so that the backlog is
 * read before a job is called silent.
 */
public final class MetricsAbsenceDetector
        extends KeyedProcessFunction<String, JobHeartbeat, AlertSignal> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsAbsenceDetector.class);

    private final MetricsAbsent rule;
    private final SilencePolicy policy;
    private final boolean wallClock;

    private transient ValueState<JobPresence> presence;
    private transient long startedAtWallClock;

    /**
     * @param retention silence after which a job is retired
     * @param wallClock whether to watch the wall clock too; off for replays, where only event time
     *     means anything
     */
    public MetricsAbsenceDetector(MetricsAbsent rule, Duration retention, boolean wallClock) {
        this.rule = rule;
        this.policy = new SilencePolicy(rule.after().toMillis(), retention.toMillis());
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

        /** The runs (job ids) of the name, for namesakes that fall silent one at a time. */
        public Map<String, RunPresence> runs = new HashMap<>();
    }

    /** What the detector remembers of one run of a job name. Public fields for Flink. */
    public static final class RunPresence implements SilencePolicy.Run {
        public long firstSnapshotAt = Long.MAX_VALUE;
        public long lastSnapshotAt = Long.MIN_VALUE;
        public String status;
        public boolean absent;

        @Override
        public long firstSnapshotAt() {
            return firstSnapshotAt;
        }

        @Override
        public long lastSnapshotAt() {
            return lastSnapshotAt;
        }

        @Override
        public String status() {
            return status;
        }

        @Override
        public boolean absent() {
            return absent;
        }
    }

    /** The key of the job a heartbeat is about. */
    public static String jobKey(JobHeartbeat heartbeat) {
        return JobKeys.of(heartbeat.cluster(), heartbeat.jobName());
    }

    @Override
    public void open(OpenContext openContext) {
        presence =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "presence", TypeInformation.of(JobPresence.class)));
        startedAtWallClock = Long.MIN_VALUE;
        if (getRuntimeContext() instanceof StreamingRuntimeContext streaming) {
            noteStart(streaming.getProcessingTimeService().getCurrentProcessingTime());
        }
    }

    @Override
    public void processElement(JobHeartbeat heartbeat, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        long now = noteStart(ctx.timerService().currentProcessingTime());
        JobPresence job = presence.value();
        if (job == null) {
            job = new JobPresence();
        }
        job.cluster = heartbeat.cluster();
        job.jobName = heartbeat.jobName();
        // A snapshot older than the newest seen (a straggler) is no sign that the job is back.
        if (job.absent && heartbeat.timestamp() > job.lastSnapshotAt) {
            job.absent = false;
            long firedAt = job.lastSnapshotAt + policy.afterMs();
            out.collect(
                    signal(
                            job,
                            AlertSignal.Kind.RESOLVE,
                            Math.max(heartbeat.timestamp(), firedAt),
                            heartbeat.timestamp() - job.lastSnapshotAt,
                            false,
                            Evidence.none()));
            LOG.info("Metrics of job {} on {} are back", job.jobName, job.cluster);
        }
        if (heartbeat.timestamp() >= job.lastSnapshotAt) {
            job.lastSnapshotAt = heartbeat.timestamp();
            job.jobId = heartbeat.jobId();
            if (heartbeat.status() != null) {
                job.status = heartbeat.status();
            }
        }
        noteRun(job, heartbeat, out);
        job.lastArrivalWallClock = now;
        reschedule(job, ctx.timerService());
        presence.update(job);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out)
            throws Exception {
        long now = noteStart(ctx.timerService().currentProcessingTime());
        JobPresence job = presence.value();
        if (job == null) {
            return;
        }
        boolean byWallClock = ctx.timeDomain() == TimeDomain.PROCESSING_TIME;
        if (time != (byWallClock ? job.wallClockTimer : job.eventTimer)) {
            return;
        }
        if (byWallClock) {
            job.wallClockTimer = Long.MIN_VALUE;
        } else {
            job.eventTimer = Long.MIN_VALUE;
        }
        if (!byWallClock) {
            judgeRuns(job, time, out);
        }
        SilencePolicy.Due due =
                byWallClock
                        ? policy.due(
                                now,
                                SilencePolicy.wallClockSince(
                                        job.lastArrivalWallClock, startedAtWallClock),
                                job.absent,
                                job.status)
                        : policy.due(time, job.lastSnapshotAt, job.absent, job.status);
        switch (due) {
            case SILENT -> {
                job.absent = true;
                LOG.info(
                        "No metrics from job {} on {} since {} ({} clock)",
                        job.jobName,
                        job.cluster,
                        job.lastSnapshotAt,
                        byWallClock ? "wall" : "event-time");
                out.collect(
                        signal(
                                job,
                                AlertSignal.Kind.FIRE,
                                job.lastSnapshotAt + policy.afterMs(),
                                policy.afterMs(),
                                byWallClock,
                                Evidence.none()));
            }
            case RETIRED -> {
                retire(job, byWallClock, ctx.timerService(), out);
                return;
            }
            case NOTHING -> {}
        }
        reschedule(job, ctx.timerService());
        presence.update(job);
    }

    private void noteRun(JobPresence job, JobHeartbeat heartbeat, Collector<AlertSignal> out) {
        if (job.runs == null) {
            job.runs = new HashMap<>();
        }
        RunPresence run = job.runs.computeIfAbsent(heartbeat.jobId(), id -> new RunPresence());
        run.firstSnapshotAt = Math.min(run.firstSnapshotAt, heartbeat.timestamp());
        if (heartbeat.timestamp() > run.lastSnapshotAt) {
            if (run.absent) {
                run.absent = false;
                long firedAt = run.lastSnapshotAt + policy.afterMs();
                out.collect(
                        runSignal(
                                job,
                                heartbeat.jobId(),
                                run,
                                AlertSignal.Kind.RESOLVE,
                                Math.max(heartbeat.timestamp(), firedAt),
                                Evidence.none()));
            }
            run.lastSnapshotAt = heartbeat.timestamp();
            if (heartbeat.status() != null) {
                run.status = heartbeat.status();
            }
        }
    }

    /** Judges each run of the name at event time {@code time}: namesakes that fell silent alone. */
    private void judgeRuns(JobPresence job, long time, Collector<AlertSignal> out) {
        if (job.runs == null || job.runs.size() < 2 && !anyAbsent(job)) {
            return;
        }
        List<String> ids = new ArrayList<>(job.runs.keySet());
        ids.sort(null);
        List<String> gone = new ArrayList<>();
        for (String id : ids) {
            RunPresence run = job.runs.get(id);
            switch (policy.runDue(time, run, job.runs.values())) {
                case SILENT -> {
                    run.absent = true;
                    LOG.info(
                            "No metrics from job {} ({}) on {} while a namesake reports",
                            job.jobName,
                            id,
                            job.cluster);
                    out.collect(
                            runSignal(
                                    job,
                                    id,
                                    run,
                                    AlertSignal.Kind.FIRE,
                                    run.lastSnapshotAt + policy.afterMs(),
                                    Evidence.none()));
                }
                case GONE -> gone.add(id);
                case NOTHING -> {}
            }
        }
        for (String id : gone) {
            RunPresence run = job.runs.remove(id);
            if (run.absent) {
                out.collect(
                        runSignal(
                                job,
                                id,
                                run,
                                AlertSignal.Kind.RESOLVE,
                                Math.max(time, run.lastSnapshotAt + policy.afterMs()),
                                Evidence.builder()
                                        .fact("ended", "resubmitted, ended on purpose or retired")
                                        .build()));
            }
        }
    }

    private static boolean anyAbsent(JobPresence job) {
        for (RunPresence run : job.runs.values()) {
            if (run.absent) {
                return true;
            }
        }
        return false;
    }

    /** The job was silent for the retention: everything about it resolves, and it is forgotten. */
    private void retire(
            JobPresence job, boolean byWallClock, TimerService timers, Collector<AlertSignal> out) {
        LOG.info(
                "Job {} on {} sent nothing for {}: retired ({} clock)",
                job.jobName,
                job.cluster,
                Duration.ofMillis(policy.retentionMs()),
                byWallClock ? "wall" : "event-time");
        out.collect(
                signal(
                        job,
                        AlertSignal.Kind.RETIRE,
                        job.lastSnapshotAt + policy.retentionMs(),
                        policy.retentionMs(),
                        byWallClock,
                        Evidence.builder()
                                .fact(
                                        RETIRED,
                                        "no snapshot for "
                                                + Duration.ofMillis(policy.retentionMs())
                                                + ": no longer watched")
                                .build()));
        if (job.eventTimer != Long.MIN_VALUE) {
            timers.deleteEventTimeTimer(job.eventTimer);
        }
        if (job.wallClockTimer != Long.MIN_VALUE) {
            timers.deleteProcessingTimeTimer(job.wallClockTimer);
        }
        presence.clear();
    }

    /** The evidence fact of the signal that retires a job. */
    public static final String RETIRED = "retired";

    private void reschedule(JobPresence job, TimerService timers) {
        long eventDeadline = policy.nextDeadline(job.lastSnapshotAt, job.absent, job.status);
        if (job.runs != null && job.runs.size() > 1) {
            for (RunPresence run : job.runs.values()) {
                eventDeadline =
                        Math.min(
                                eventDeadline,
                                policy.nextRunDeadline(timers.currentWatermark(), run));
            }
        }
        if (eventDeadline != job.eventTimer) {
            if (job.eventTimer != Long.MIN_VALUE) {
                timers.deleteEventTimeTimer(job.eventTimer);
            }
            timers.registerEventTimeTimer(eventDeadline);
            job.eventTimer = eventDeadline;
        }
        if (!wallClock) {
            return;
        }
        long wallDeadline =
                policy.nextDeadline(
                        SilencePolicy.wallClockSince(job.lastArrivalWallClock, startedAtWallClock),
                        job.absent,
                        job.status);
        if (wallDeadline != job.wallClockTimer) {
            if (job.wallClockTimer != Long.MIN_VALUE) {
                timers.deleteProcessingTimeTimer(job.wallClockTimer);
            }
            timers.registerProcessingTimeTimer(wallDeadline);
            job.wallClockTimer = wallDeadline;
        }
    }

    /**
     * Notes when this instance (re)started, at its opening or else its first callback, and returns
     * {@code now}. The current time, not a timer's: timers that became overdue while Flinkwatch was
     * down fire with their old timestamps.
     */
    private long noteStart(long now) {
        if (startedAtWallClock == Long.MIN_VALUE) {
            startedAtWallClock = now;
        }
        return now;
    }

    /** A signal about one run's own absence: its job id identifies it among its namesakes. */
    private AlertSignal runSignal(
            JobPresence job,
            String jobId,
            RunPresence run,
            AlertSignal.Kind kind,
            long time,
            Evidence extra) {
        Map<String, String> labels =
                new TreeMap<>(AlertInstances.job(rule, job.cluster, job.jobName));
        labels.put(AlertLabels.JOB_ID, jobId);
        Evidence evidence =
                Evidence.builder()
                        .value("lastSnapshotAt", run.lastSnapshotAt)
                        .fact("detectedBy", "event time, while a namesake reports")
                        .addAll(extra)
                        .build();
        return new AlertSignal(
                kind,
                rule.name(),
                Fingerprint.of(labels),
                time,
                run.lastSnapshotAt + policy.afterMs(),
                labels,
                jobId,
                evidence,
                false);
    }

    private AlertSignal signal(
            JobPresence job,
            AlertSignal.Kind kind,
            long time,
            long silentForMs,
            boolean wallClock,
            Evidence extra) {
        Map<String, String> labels = AlertInstances.job(rule, job.cluster, job.jobName);
        Evidence evidence =
                Evidence.builder()
                        .value("lastSnapshotAt", job.lastSnapshotAt)
                        .value("silentForMs", silentForMs)
                        .fact("detectedBy", wallClock ? "wall clock" : "event time")
                        .addAll(extra)
                        .build();
        return new AlertSignal(
                kind,
                rule.name(),
                Fingerprint.of(labels),
                time,
                job.lastSnapshotAt + policy.afterMs(),
                labels,
                job.jobId,
                evidence,
                wallClock);
    }
}

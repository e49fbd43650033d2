package io.flinkwatch.job.detection;

import io.flinkwatch.ingest.snapshot.JobStatuses;
import java.io.Serializable;

/**
 * When a monitored job's silence is an alert, and when the job is retired: the decision behind
 * {@link MetricsAbsenceDetector}, with every time passed in.
 *
 * <p>Two clocks watch a job. On event time, the job is silent at its last snapshot + {@code
 * afterMs} and retired at its last snapshot + {@code retentionMs}. On the wall clock the same
 * durations count from the job's last arrival, or from Flinkwatch's own (re)start if that is later:
 * after a restore, the backlog that piled up while Flinkwatch was down has to be read before anyone
 * is called silent. A job whose last status says it was ended on purpose is never silent, only
 * retired.
 *
 * @param afterMs silence that makes FlinkMetricsAbsent fire
 * @param retentionMs silence after which the job is forgotten
 */
public record SilencePolicy(long afterMs, long retentionMs) implements Serializable {

    /** What is due for a job at an instant. */
    public enum Due {
        NOTHING,
        /** The job is silent: FlinkMetricsAbsent fires. */
        SILENT,
        /** The job has been silent for the retention: it is retired. */
        RETIRED
    }

    /** What is due for one run (job id) of a job name at an event time. */
    public enum RunDue {
        NOTHING,
        /** The run fell silent while another run of the name speaks: its own absence fires. */
        SILENT,
        /**
         * The run was resubmitted, ended on purpose, or retired: forget it (and end its absence).
         */
        GONE
    }

    /**
     * What one run of a job name is due at event time {@code now}, beside the name's other runs. A
     * run whose name falls silent as a whole is the name's absence ({@link #due}); a run that falls
     * silent while a namesake goes on speaking is an absence of its own, or nobody would notice it.
     * A run is gone once another was first seen after its last snapshot (it was resubmitted), once
     * it ended on purpose, or after the retention.
     */
    public RunDue runDue(long now, Run run, Iterable<? extends Run> runs) {
        boolean superseded = false;
        boolean anotherSpeaks = false;
        for (Run other : runs) {
            if (other == run) {
                continue;
            }
            superseded |= other.firstSnapshotAt() > run.lastSnapshotAt();
            anotherSpeaks |= other.lastSnapshotAt() > now - afterMs;
        }
        boolean silent = now >= run.lastSnapshotAt() + afterMs;
        if (superseded
                || now >= run.lastSnapshotAt() + retentionMs
                || (silent && JobStatuses.endedOnPurpose(run.status()))) {
            return RunDue.GONE;
        }
        return silent && !run.absent() && anotherSpeaks ? RunDue.SILENT : RunDue.NOTHING;
    }

    /** When to look at a run again: its silence, then its retention. */
    public long nextRunDeadline(long now, Run run) {
        long silentAt = run.lastSnapshotAt() + afterMs;
        return run.absent() || now >= silentAt ? run.lastSnapshotAt() + retentionMs : silentAt;
    }

    /** What {@link #runDue} reads of a run. */
    public interface Run {
        long firstSnapshotAt();

        long lastSnapshotAt();

        String status();

        boolean absent();
    }

    public SilencePolicy {
        if (afterMs <= 0 || retentionMs < afterMs) {
            throw new IllegalArgumentException(
                    "need 0 < after <= retention, got " + afterMs + " and " + retentionMs);
        }
    }

    /**
     * What is due at {@code now} on one clock.
     *
     * @param since the last snapshot's event time (event time), or the wall-clock start of the
     *     silence (see {@link #wallClockSince})
     * @param absent whether FlinkMetricsAbsent already fires for the job
     * @param status the job's last reported status, or null
     */
    public Due due(long now, long since, boolean absent, String status) {
        if (now >= since + retentionMs) {
            return Due.RETIRED;
        }
        if (now >= since + afterMs && !absent && !JobStatuses.endedOnPurpose(status)) {
            return Due.SILENT;
        }
        return Due.NOTHING;
    }

    /** When to look again on that clock: the next instant at which something can be due. */
    public long nextDeadline(long since, boolean absent, String status) {
        return absent || JobStatuses.endedOnPurpose(status) ? since + retentionMs : since + afterMs;
    }

    /**
     * Since when the wall clock counts a job's silence: its last arrival, or Flinkwatch's own start
     * when that is later.
     */
    public static long wallClockSince(long lastArrival, long startedAt) {
        return Math.max(lastArrival, startedAt);
    }
}

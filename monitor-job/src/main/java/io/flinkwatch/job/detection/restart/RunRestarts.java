package io.flinkwatch.job.detection.restart;

import javax.annotation.Nullable;

/**
 * Counts the restarts of one run of a monitored job (one job id) from its job-level samples, fed in
 * event-time order. A restart is seen in either of two ways, and counted once when both show it:
 *
 * <ul>
 *   <li>the job was RUNNING, reported any other status (RESTARTING, FAILING, CREATED, ...) and
 *       reports RUNNING again: one restart, counted when it runs again;
 *   <li>{@code numRestarts} grew between two samples taken while it was running: a restart whose
 *       short outage no sample caught (or as many as the counter grew by).
 * </ul>
 *
 * <p>The counter is compared with its value when the job last ran, so the increment Flink makes at
 * the start of an observed outage is the same restart as the outage. A counter that goes down was
 * reset (a JobManager without HA lost it) and counts nothing. The first samples of a run count
 * nothing: a job that is submitted (CREATED, then RUNNING) has not restarted, and the counter of a
 * run seen for the first time is its starting point. A resubmission is a new job id, so a new
 * {@code RunRestarts}, and its counter starting at 0 again is no restart either.
 *
 * <p>Mutable; public fields so that Flink keeps it in keyed state as a POJO.
 */
public final class RunRestarts {

    /** {@link #downSince} when the job is not known to be down. */
    public static final long NOT_DOWN = Long.MIN_VALUE;

    /** Whether the run was seen RUNNING: only then is a later return to RUNNING a restart. */
    public boolean seenRunning;

    /** Event time of the first non-RUNNING sample since the run last ran, or {@link #NOT_DOWN}. */
    public long downSince = NOT_DOWN;

    /** {@code numRestarts} when the run was last seen running (or of unknown status), or NaN. */
    public double counterWhenUp = Double.NaN;

    /** Event time of the newest sample observed. */
    public long newestSample = Long.MIN_VALUE;

    /** The newest failure cause the publisher reported for the run, or null. */
    @Nullable public String failureCause;

    /** What a sample tells about the job's state. */
    public enum State {
        RUNNING,
        /** Any status other than RUNNING, or an uptime of 0. */
        DOWN,
        /** Neither status nor uptime reported: only the counter tells. */
        UNKNOWN
    }

    /**
     * What one sample completed.
     *
     * @param restarts how many restarts the sample completed (0: none)
     * @param outageSince when the observed outage began, or {@link #NOT_DOWN} when the restart was
     *     seen in the counter only
     */
    public record Seen(int restarts, long outageSince) {
        public static final Seen NONE = new Seen(0, NOT_DOWN);
    }

    /**
     * Notes a sample of the run; samples must come in event-time order (an older or repeated one is
     * ignored).
     *
     * @param numRestarts the reported {@code numRestarts}, or NaN
     * @param cause the failure cause the sample reports, or null
     */
    public Seen observe(long time, State state, double numRestarts, @Nullable String cause) {
        if (time <= newestSample) {
            return Seen.NONE;
        }
        newestSample = time;
        if (cause != null) {
            failureCause = cause;
        }
        switch (state) {
            case DOWN -> {
                if (seenRunning && downSince == NOT_DOWN) {
                    downSince = time;
                }
                return Seen.NONE;
            }
            case RUNNING -> {
                long outage = seenRunning ? downSince : NOT_DOWN;
                int restarts = Math.max(outage == NOT_DOWN ? 0 : 1, increase(numRestarts));
                seenRunning = true;
                downSince = NOT_DOWN;
                return restarts == 0 ? Seen.NONE : new Seen(restarts, outage);
            }
            default -> {
                int restarts = increase(numRestarts);
                return restarts == 0 ? Seen.NONE : new Seen(restarts, NOT_DOWN);
            }
        }
    }

    /** The counter's growth since the job last ran, taking {@code numRestarts} as the new base. */
    private int increase(double numRestarts) {
        if (Double.isNaN(numRestarts)) {
            return 0;
        }
        double before = counterWhenUp;
        counterWhenUp = numRestarts;
        if (Double.isNaN(before) || numRestarts <= before) {
            return 0;
        }
        return (int) Math.min(numRestarts - before, Integer.MAX_VALUE);
    }
}

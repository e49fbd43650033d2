package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event time of one Kafka partition of snapshots, kept per monitored job: the jobs of a fleet hash
 * onto a few partitions, and their publishers' clocks disagree. Prometheus stamps samples with its
 * own scrape clock; Flinkwatch reads timestamps that other machines wrote, so it judges each job
 * against its own past and against the partition's other jobs, never against whichever job is
 * newest.
 *
 * <p>Each snapshot gets one {@link Verdict}:
 *
 * <ul>
 *   <li>{@code LATE} only when it is older than its own job's newest snapshot by more than the
 *       out-of-orderness. Other jobs never make a snapshot late.
 *   <li>{@code CLOCK_SKEW} when its job's clock is further off than the bound: more than the bound
 *       ahead of this monitor's own clock (nothing is observed in the future), or more than the
 *       bound away from the partition's consensus. The consensus is the median of the largest group
 *       of live jobs whose newest timestamps lie within the bound of each other; between groups of
 *       equal size, the one nearer to this monitor's clock wins. Live, that is the correct clock;
 *       in a fast replay of a partition that only two disagreeing jobs share, a partition alone
 *       cannot tell which clock is wrong, and the later one wins.
 *   <li>{@code ON_TIME} otherwise.
 * </ul>
 *
 * <p>The watermark the partition allows is the minimum, over the jobs it waits for, of their newest
 * timestamp minus the out-of-orderness. It waits for every live job within the bound of the
 * consensus whose last status is not final: a job whose clock is behind holds event time back by
 * its skew (at most the bound), so none of its snapshots is late, and a job whose publisher pauses
 * (a Kafka outage at the reporter) holds it until it delivers what it buffered, for the silent-job
 * hold at most. A job that falls silent holds it no longer than that on the wall clock (nor once it
 * is more than the bound behind the consensus): jobs vanish without a word in real fleets, and
 * every other job of the partition waits as long for its alerts. The watermark never moves back: a
 * job that first appears behind it, or returns after the hold, is accepted, and its evaluation
 * starts at the watermark.
 *
 * <p>"Live" means heard from (accepted or not) within the liveness period, on the wall clock. The
 * consensus and the watermark are recomputed every few hundred records or 200 ms, whichever comes
 * first, so that a snapshot costs a map lookup. For the first 200 ms after the partition's first
 * record the consensus settles: no clock is judged against it, so that the first job read does not
 * decide alone, and the watermark is provisional, the oldest of every job heard so far (the
 * watermark generator emits nothing before). A partition read in one burst shorter than that, then
 * quiet, still gets its watermark.
 *
 * <p>Plain Java: the wall clock is an argument. One instance per partition, used by one thread.
 */
public final class PartitionClock {

    /** No timestamp, no watermark. */
    public static final long NONE = Long.MIN_VALUE;

    static final long RECOMPUTE_EVERY_MS = 200;
    static final int RECOMPUTE_EVERY_RECORDS = 256;

    private final long outOfOrdernessMs;
    private final long maxSkewMs;
    private final long livenessMs;
    private final long silentHoldMs;
    private final Map<String, Timeline> timelines = new HashMap<>();

    /** The newest timestamps of the jobs event time waits for. */
    private final Held held = new Held();

    private long consensus = NONE;
    private long watermark = NONE;
    private long firstRecordAt = NONE;
    private long computedAt = NONE;
    private int recordsSinceComputed;

    /**
     * @param outOfOrderness how far behind its job's newest snapshot a snapshot may still arrive
     * @param maxClockSkew how far a job's clock may be off (ahead or behind) and still be monitored
     * @param liveness how long a job counts as live after its last record, on the wall clock
     * @param silentHold how long a job that falls silent still holds event time back, on the wall
     *     clock (at most the liveness)
     */
    public PartitionClock(
            Duration outOfOrderness,
            Duration maxClockSkew,
            Duration liveness,
            Duration silentHold) {
        if (outOfOrderness.isNegative()
                || maxClockSkew.isNegative()
                || liveness.isNegative()
                || silentHold.isNegative()) {
            throw new IllegalArgumentException(
                    "durations must not be negative: "
                            + outOfOrderness
                            + ", "
                            + maxClockSkew
                            + ", "
                            + liveness
                            + ", "
                            + silentHold);
        }
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.maxSkewMs = maxClockSkew.toMillis();
        this.livenessMs = liveness.toMillis();
        this.silentHoldMs = Math.min(silentHold.toMillis(), livenessMs);
    }

    /** What became of one snapshot. */
    public enum Kind {
        /** Accepted. */
        ON_TIME,
        /** Older than its own job's newest snapshot by more than the out-of-orderness. */
        LATE,
        /** Its job's clock is ahead of this monitor's clock by more than the bound. */
        CLOCK_AHEAD_OF_MONITOR,
        /** Its job's clock is off the partition's consensus by more than the bound. */
        CLOCK_OFF_CONSENSUS
    }

    /**
     * @param kind the verdict
     * @param reference what the snapshot was measured against: its job's newest snapshot (LATE),
     *     this monitor's clock, or the partition's consensus; {@link #NONE} when on time
     * @param offsetMs the snapshot's timestamp minus the reference (negative: behind)
     * @param progress whether an accepted snapshot is its job's newest (it moves event time)
     */
    public record Verdict(Kind kind, long reference, long offsetMs, boolean progress) {

        public boolean accepted() {
            return kind == Kind.ON_TIME;
        }
    }

    /**
     * Judges one snapshot and takes it into the partition's time.
     *
     * @param timeline the job's clock: cluster, job name and publisher kind, one string
     * @param timestamp the snapshot's timestamp
     * @param finalStatus whether the snapshot says the job has ended (cancelled, finished): it no
     *     longer holds event time back
     * @param now this monitor's wall clock, epoch milliseconds
     */
    public Verdict judge(String timeline, long timestamp, boolean finalStatus, long now) {
        if (firstRecordAt == NONE) {
            firstRecordAt = now;
        }
        Timeline job = timelines.computeIfAbsent(timeline, k -> new Timeline());
        job.heardAt = now;
        if (job.newest != NONE && timestamp < job.newest - outOfOrdernessMs) {
            return new Verdict(Kind.LATE, job.newest, timestamp - job.newest, false);
        }
        boolean newest = timestamp > job.newest;
        if (newest) {
            // Where it is, judged or not: a skewed job votes with its real clock.
            job.newest = timestamp;
        }
        recomputeIfDue(now);
        if (timestamp - now > maxSkewMs) {
            job.agrees = false;
            release(job);
            return new Verdict(Kind.CLOCK_AHEAD_OF_MONITOR, now, timestamp - now, false);
        }
        // A job that agreed at the last recomputation is judged by its own continuity: the
        // consensus may be a few hundred records old, and in a fast replay the partition moves on
        // in between. A clock that jumps is caught at the next recomputation. A job not agreed
        // yet (new, or skewed so far) is judged against the consensus as of now, never a stale one:
        // reading a backlog, a job that starts reporting is minutes of event time past it.
        if (!job.agrees && settled(now)) {
            if (recordsSinceComputed > 0) {
                recompute(now);
            }
            if (!job.agrees && Math.abs(timestamp - consensus) > maxSkewMs) {
                release(job);
                return new Verdict(
                        Kind.CLOCK_OFF_CONSENSUS, consensus, timestamp - consensus, false);
            }
        }
        if (newest) {
            job.ended = finalStatus;
        }
        job.agrees = true;
        if (job.ended) {
            release(job);
        } else {
            hold(job);
        }
        advanceWatermark(now);
        return new Verdict(Kind.ON_TIME, NONE, 0, newest);
    }

    /** The job holds event time at its newest snapshot. */
    private void hold(Timeline job) {
        if (job.holding) {
            if (job.heldAt == job.newest) {
                return;
            }
            held.remove(job.heldAt, job);
        }
        job.holding = true;
        job.heldAt = job.newest;
        held.add(job.newest, job);
    }

    private void release(Timeline job) {
        if (job.holding) {
            held.remove(job.heldAt, job);
            job.holding = false;
        }
    }

    /**
     * Moves the watermark to the oldest held snapshot minus the out-of-orderness, as each record
     * arrives: the last snapshot of a burst counts at once, not at the next recomputation. While
     * the first consensus settles it is provisional and may move back, as slower jobs are heard.
     */
    private void advanceWatermark(long now) {
        if (held.isEmpty()) {
            return;
        }
        long candidate = held.oldest() - outOfOrdernessMs - 1;
        if (candidate > watermark || !settled(now)) {
            watermark = candidate;
        }
    }

    /**
     * Whether the partition has been read long enough ({@value #RECOMPUTE_EVERY_MS} ms) for its
     * consensus to speak for more than the first job read: before, no clock is judged against it.
     */
    private boolean settled(long now) {
        return firstRecordAt != NONE && now - firstRecordAt >= RECOMPUTE_EVERY_MS;
    }

    /**
     * The watermark this partition allows: the oldest newest timestamp of the jobs it waits for,
     * minus the out-of-orderness, minus 1 ms (a snapshot exactly out-of-orderness behind is on
     * time). {@link #NONE} before the first snapshot. Provisional, and possibly moving back, for
     * {@value #RECOMPUTE_EVERY_MS} ms after the first record (the watermark generator emits nothing
     * before); never moves back after.
     */
    public long watermark() {
        return watermark;
    }

    /** The partition's consensus time, {@link #NONE} before the first. */
    public long consensus() {
        return consensus;
    }

    /** How many jobs' clocks are kept (live or not yet forgotten). */
    public int size() {
        return timelines.size();
    }

    private void recomputeIfDue(long now) {
        recordsSinceComputed++;
        boolean due =
                computedAt == NONE
                        || now - computedAt >= RECOMPUTE_EVERY_MS
                        || recordsSinceComputed
                                >= Math.max(RECOMPUTE_EVERY_RECORDS, timelines.size());
        if (due) {
            recompute(now);
        }
    }

    /** Recomputes the consensus and the watermark now (normally done as records arrive). */
    public void recompute(long now) {
        computedAt = now;
        recordsSinceComputed = 0;
        List<Long> live = new ArrayList<>();
        for (Iterator<Timeline> it = timelines.values().iterator(); it.hasNext(); ) {
            Timeline job = it.next();
            if (now - job.heardAt > livenessMs) {
                if (now - job.heardAt > forgetAfterMs()) {
                    it.remove();
                }
                continue;
            }
            if (job.newest != NONE) {
                live.add(job.newest);
            }
        }
        if (live.isEmpty()) {
            held.clear();
            for (Timeline job : timelines.values()) {
                job.holding = false;
            }
            return;
        }
        consensus = consensus(live, now);
        held.clear();
        for (Timeline job : timelines.values()) {
            job.holding = false;
            if (job.newest == NONE || now - job.heardAt > livenessMs) {
                continue;
            }
            job.agrees = !settled(now) || Math.abs(job.newest - consensus) <= maxSkewMs;
            if (job.agrees && !job.ended && now - job.heardAt <= silentHoldMs) {
                hold(job);
            }
        }
        advanceWatermark(now);
    }

    /** A job silent for this long is forgotten; it is judged afresh when it returns. */
    private long forgetAfterMs() {
        return Math.max(livenessMs, Duration.ofHours(1).toMillis());
    }

    /**
     * The median of the largest group of timestamps within the bound of each other; between groups
     * of equal size, the one whose median is nearest to {@code now}.
     */
    private long consensus(List<Long> newest, long now) {
        newest.sort(null);
        int bestFrom = 0;
        int bestTo = 0;
        int end = 0;
        for (int start = 0; start < newest.size(); start++) {
            if (end < start) {
                end = start;
            }
            while (end + 1 < newest.size()
                    && newest.get(end + 1) - newest.get(start) <= maxSkewMs) {
                end++;
            }
            int size = end - start + 1;
            int bestSize = bestTo - bestFrom + 1;
            if (size > bestSize
                    || (size == bestSize
                            && Math.abs(median(newest, start, end) - now)
                                    < Math.abs(median(newest, bestFrom, bestTo) - now))) {
                bestFrom = start;
                bestTo = end;
            }
        }
        return median(newest, bestFrom, bestTo);
    }

    private static long median(List<Long> sorted, int from, int to) {
        return sorted.get((from + to) >>> 1);
    }

    /**
     * A duration in its two largest units, for messages: {@code 850ms}, {@code 40s}, {@code 4m30s},
     * {@code 2h5m}, {@code 3d1h}.
     */
    public static String human(long ms) {
        long abs = Math.abs(ms);
        String sign = ms < 0 ? "-" : "";
        if (abs < 1_000) {
            return sign + abs + "ms";
        }
        long s = abs / 1_000;
        long d = s / 86_400;
        long h = s % 86_400 / 3_600;
        long m = s % 3_600 / 60;
        long sec = s % 60;
        if (d > 0) {
            return sign + d + "d" + (h > 0 ? h + "h" : "");
        }
        if (h > 0) {
            return sign + h + "h" + (m > 0 ? m + "m" : "");
        }
        if (m > 0) {
            return sign + m + "m" + (sec > 0 ? sec + "s" : "");
        }
        return sign + sec + "s";
    }

    /** One job's clock, as this partition has seen it. */
    private static final class Timeline {
        long newest = NONE;
        long heardAt;
        boolean ended;

        /**
         * Whether its clock agrees with the consensus: as of the last recomputation, or its last
         * snapshot judged against it. A job not judged yet does not.
         */
        boolean agrees;

        /** Whether event time waits for it, at {@link #heldAt}. */
        boolean holding;

        long heldAt;
    }

    /** A multiset of timestamps: the oldest in O(log n), updates in O(log n). */
    private static final class Held {
        private final TreeMap<Long, Integer> counts = new TreeMap<>();

        void add(long time, Timeline job) {
            counts.merge(time, 1, Integer::sum);
        }

        void remove(long time, Timeline job) {
            counts.computeIfPresent(time, (t, n) -> n == 1 ? null : n - 1);
        }

        boolean isEmpty() {
            return counts.isEmpty();
        }

        long oldest() {
            return counts.firstKey();
        }

        void clear() {
            counts.clear();
        }
    }
}

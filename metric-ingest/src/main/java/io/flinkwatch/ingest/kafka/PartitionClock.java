package io.flinkwatch.ingest.kafka;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

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
 * hold at most. A job that falls silent holds it no longer than that (nor once it is more than the
 * bound behind the consensus): jobs vanish without a word in real fleets, and every other job of
 * the partition waits as long for its alerts. The watermark never moves back: a job that first
 * appears behind it, or returns after the hold, is accepted, and its evaluation starts at the
 * watermark.
 *
 * <p>Silence is measured in the partition's own event time, so that a recording replayed in seconds
 * gets the verdicts and watermarks it got live: a job is silent once the partition's <em>front</em>
 * has moved on by more than the hold since the job was last heard, and no longer live (out of the
 * consensus, forgotten after an hour) once it moved on by more than the liveness. The front counts
 * the jobs' own steps, not their timestamps: each job moves it by how far its own clock advanced,
 * so a clock that is behind or ahead moves it as much as a correct one, and one step counts for
 * half the hold at most (beyond, the job only catches up with the front), so that one clock that
 * jumps ahead cannot make the jobs heard within the other half of the hold look silent at once. A
 * job heard live (its newest timestamp no more than the bound behind this monitor's clock) is also
 * silent, or no longer live, after as long on the wall clock, whichever comes first: that notices a
 * partition whose jobs all stop. For the consensus, a job silent for more than the out-of-orderness
 * counts where its clock would be now (its newest timestamp plus how far the front moved since), so
 * that a majority that stops at once (a cluster outage, or its part of a recording ending) does not
 * take the consensus away from the jobs that go on while it is still live.
 *
 * <p>"Live" means heard from (accepted or not) within the liveness period. The consensus and the
 * watermark are recomputed every few hundred records or 200 ms, whichever comes first, so that a
 * snapshot costs a map lookup; a held job that falls silent is let go as soon as it is the oldest
 * held. For the first 200 ms after the partition's first record the consensus settles: no clock is
 * judged against it, so that the first job read does not decide alone, and the watermark is
 * provisional, the oldest of every job heard so far (the watermark generator emits nothing before).
 * A partition read in one burst shorter than that, then quiet, still gets its watermark.
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

    /** The jobs event time waits for, oldest {@link Timeline#heldAt} first. */
    private final TreeSet<Timeline> held =
            new TreeSet<>(
                    Comparator.<Timeline>comparingLong(job -> job.heldAt)
                            .thenComparingLong(job -> job.id));

    /**
     * How far the partition's event time has moved since it was first read, counted by the jobs'
     * own steps (see {@link #advanceFront}); only differences of it mean anything.
     */
    private long front;

    /**
     * The longest step of one job that moves the front in full: half the silent-job hold (half the
     * liveness when there is no hold).
     */
    private final long maxFrontStepMs;

    private long nextId;

    /** Scratch space for the consensus, reused. */
    private long[] positions = new long[16];

    private long consensus = NONE;

    /** The front when the consensus was last computed. */
    private long frontAtCompute;

    private long watermark = NONE;
    private long firstRecordAt = NONE;
    private long computedAt = NONE;
    private int recordsSinceComputed;
    private long recomputations;

    /**
     * @param outOfOrderness how far behind its job's newest snapshot a snapshot may still arrive
     * @param maxClockSkew how far a job's clock may be off (ahead or behind) and still be monitored
     * @param liveness how long a job counts as live after its last record, in the partition's event
     *     time (and on the wall clock for a job heard live)
     * @param silentHold how long a job that falls silent still holds event time back, in the
     *     partition's event time (and on the wall clock for a job heard live); at most the liveness
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
        // Without a hold, the front still serves the liveness.
        this.maxFrontStepMs = (silentHoldMs > 0 ? silentHoldMs : livenessMs) / 2;
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
        Timeline job = timelines.get(timeline);
        if (job == null) {
            job = new Timeline(nextId++, front);
            timelines.put(timeline, job);
        }
        job.heardAt = now;
        if (job.newest != NONE && timestamp < job.newest - outOfOrdernessMs) {
            job.heard(front, heardLive(job, now));
            return new Verdict(Kind.LATE, job.newest, timestamp - job.newest, false);
        }
        boolean newest = timestamp > job.newest;
        boolean ahead = timestamp - now > maxSkewMs;
        if (newest) {
            if (!ahead) {
                advanceFront(job, timestamp);
            }
            // Where it is, judged or not: a skewed job votes with its real clock.
            job.newest = timestamp;
        }
        job.heard(front, heardLive(job, now));
        recomputeIfDue(now);
        if (ahead) {
            job.agrees = false;
            release(job);
            return new Verdict(Kind.CLOCK_AHEAD_OF_MONITOR, now, timestamp - now, false);
        }
        // A job that agreed at the last recomputation is judged by its own continuity: the
        // consensus may be a few hundred records old, and in a fast replay the partition moves on
        // in between. A clock that jumps is caught at the next recomputation. A job not agreed
        // yet (new, or skewed so far) is judged against the consensus as of now, never a stale one:
        // reading a backlog, a job that starts reporting is minutes of event time past it.
        if (!job.agrees && settled(now) && !clearlyAgrees(timestamp)) {
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

    /**
     * Whether a clock at {@code timestamp} agrees with the consensus however far it may have moved
     * since it was computed: within half the bound of it, counting every millisecond the front has
     * moved since as a millisecond the consensus may have moved. A new job that clearly agrees is
     * judged without recomputing the consensus, which takes a pass over every job of the partition:
     * when thousands of jobs start at once (Flinkwatch starting, or a replay) that made reading
     * them quadratic. Any other is judged against a consensus recomputed as of now.
     */
    private boolean clearlyAgrees(long timestamp) {
        return consensus != NONE
                && Math.abs(timestamp - consensus) + (front - frontAtCompute) <= maxSkewMs / 2;
    }

    /**
     * Moves the job's own count of event time, and with it the partition's front, by the job's
     * progress to {@code timestamp}. A step longer than half the silent-job hold (a clock that
     * jumps, a job back from a silence) counts for half the hold at most, beyond which the job only
     * catches up with the front: one clock that jumps ahead cannot make the jobs heard within the
     * other half of the hold look silent, and a job that comes back is level with the front again.
     */
    private void advanceFront(Timeline job, long timestamp) {
        if (job.newest != NONE) {
            long step = timestamp - job.newest;
            job.progress =
                    Math.max(
                            job.progress + Math.min(step, maxFrontStepMs),
                            Math.min(front, saturatedAdd(job.progress, step)));
            front = Math.max(front, job.progress);
        }
    }

    /** Whether the job's newest timestamp is recent on this monitor's clock: read live. */
    private boolean heardLive(Timeline job, long now) {
        return now - job.newest <= maxSkewMs;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * How long the job has been silent in the partition's event time: how far the front moved since
     * it was last heard.
     */
    private long silenceMs(Timeline job) {
        return front - job.markAt;
    }

    /**
     * Whether the job no longer holds event time: silent for more than the hold in the partition's
     * event time, or, when it was last heard live, on the wall clock.
     */
    private boolean silent(Timeline job, long now) {
        return silenceMs(job) > silentHoldMs || (job.heardLive && now - job.heardAt > silentHoldMs);
    }

    /** Whether the job counts in the consensus: {@link #silent} with the liveness instead. */
    private boolean live(Timeline job, long now) {
        return silenceMs(job) <= livenessMs && !(job.heardLive && now - job.heardAt > livenessMs);
    }

    /** The job holds event time at its newest snapshot. */
    private void hold(Timeline job) {
        if (job.holding) {
            if (job.heldAt == job.newest) {
                return;
            }
            held.remove(job);
        }
        job.holding = true;
        job.heldAt = job.newest;
        held.add(job);
    }

    private void release(Timeline job) {
        if (job.holding) {
            held.remove(job);
            job.holding = false;
        }
    }

    /**
     * Moves the watermark to the oldest held snapshot minus the out-of-orderness, as each record
     * arrives: the last snapshot of a burst counts at once, not at the next recomputation. While
     * the first consensus settles it is provisional and may move back, as slower jobs are heard.
     */
    private void advanceWatermark(long now) {
        // Jobs fall silent as the front moves: the oldest held ones are let go at once, the others
        // at the next recomputation (until they are the oldest, they do not set the watermark).
        while (!held.isEmpty() && silent(held.first(), now)) {
            release(held.first());
        }
        if (held.isEmpty()) {
            return;
        }
        long candidate = held.first().heldAt - outOfOrdernessMs - 1;
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

    /** How many times the consensus was computed: each is a pass over every job. */
    long recomputations() {
        return recomputations;
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
        frontAtCompute = front;
        recomputations++;
        recordsSinceComputed = 0;
        int live = 0;
        for (Iterator<Timeline> it = timelines.values().iterator(); it.hasNext(); ) {
            Timeline job = it.next();
            if (!live(job, now)) {
                if (now - job.heardAt > forgetAfterMs() || silenceMs(job) > forgetAfterMs()) {
                    it.remove();
                }
                continue;
            }
            if (job.newest != NONE) {
                if (live == positions.length) {
                    positions = Arrays.copyOf(positions, live * 2);
                }
                positions[live++] = position(job);
            }
        }
        held.clear();
        for (Timeline job : timelines.values()) {
            job.holding = false;
        }
        if (live == 0) {
            return;
        }
        consensus = consensus(positions, live, now);
        for (Timeline job : timelines.values()) {
            if (job.newest == NONE || !live(job, now)) {
                continue;
            }
            job.agrees = !settled(now) || Math.abs(position(job) - consensus) <= maxSkewMs;
            if (job.agrees && !job.ended && !silent(job, now)) {
                hold(job);
            }
        }
        advanceWatermark(now);
    }

    /**
     * Where the job's clock is now, for the consensus: its newest timestamp; once it has been
     * silent for more than the out-of-orderness, plus the event time the partition has moved on
     * since it was heard. A job that stopped keeps its place beside the jobs that go on, so that a
     * majority that stopped at once (a cluster outage, or the end of its part of a recording) does
     * not drag the consensus away from the jobs still reporting while it is live. (Jobs heard
     * within the out-of-orderness count as they are: the consensus is that precise anyway.)
     */
    private long position(Timeline job) {
        long silence = silenceMs(job);
        return silence > outOfOrdernessMs ? job.newest + silence : job.newest;
    }

    /** A job silent for this long is forgotten; it is judged afresh when it returns. */
    private long forgetAfterMs() {
        return Math.max(livenessMs, Duration.ofHours(1).toMillis());
    }

    /**
     * The median of the largest group of timestamps within the bound of each other; between groups
     * of equal size, the one whose median is nearest to {@code now}.
     */
    private long consensus(long[] newest, int n, long now) {
        Arrays.sort(newest, 0, n);
        int bestFrom = 0;
        int bestTo = 0;
        int end = 0;
        for (int start = 0; start < n; start++) {
            if (end < start) {
                end = start;
            }
            while (end + 1 < n && newest[end + 1] - newest[start] <= maxSkewMs) {
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

    private static long median(long[] sorted, int from, int to) {
        return sorted[(from + to) >>> 1];
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
        /** Order among jobs held at the same timestamp. */
        final long id;

        long newest = NONE;

        /** When it was last heard, on the wall clock. */
        long heardAt;

        /** Where the partition's front was when it was last heard. */
        long markAt;

        /**
         * Whether it was last heard live, its newest timestamp no more than the bound behind this
         * monitor's clock: then its silence counts on the wall clock too. Read from a recording (a
         * replay, a backlog), only the partition's event time tells that it has stopped.
         */
        boolean heardLive;

        /**
         * The event time it has moved through, counted from where it joined the front: its steps, a
         * jump counting for half the hold at most (see {@code advanceFront}).
         */
        long progress;

        boolean ended;

        /**
         * Whether its clock agrees with the consensus: as of the last recomputation, or its last
         * snapshot judged against it. A job not judged yet does not.
         */
        boolean agrees;

        /** Whether event time waits for it, at {@link #heldAt}. */
        boolean holding;

        long heldAt;

        Timeline(long id, long front) {
            this.id = id;
            this.progress = front;
            this.markAt = front;
        }

        void heard(long front, boolean live) {
            markAt = front;
            heardLive = live;
        }
    }
}

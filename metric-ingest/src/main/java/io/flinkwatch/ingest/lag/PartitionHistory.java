package io.flinkwatch.ingest.lag;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The recent log-end and committed offsets of one partition for one consumer group, polled over
 * time: enough to tell the lag in records, how long ago the next record to consume was produced
 * (the lag in time), and how fast the group consumes.
 *
 * <p>The lag in time is read off the log-end history: the next record to consume, at the committed
 * offset, was produced between the last poll whose log end was at or below it and the next poll;
 * its time is interpolated between the two. When the committed offset is older than the whole
 * history, the production rate over the history extrapolates back. Not thread-safe.
 */
final class PartitionHistory {

    /** One poll: time (ms), log-end offset, committed offset. */
    private record Poll(long time, long end, long committed) {}

    private final ArrayDeque<Poll> polls = new ArrayDeque<>();

    /** Adds a poll and forgets polls older than {@code keepMs} before it (keeping at least two). */
    void add(long time, long end, long committed, long keepMs) {
        Poll last = polls.peekLast();
        if (last != null && time <= last.time()) {
            return;
        }
        polls.addLast(new Poll(time, end, committed));
        while (polls.size() > 2 && polls.peekFirst().time() < time - keepMs) {
            polls.removeFirst();
        }
    }

    boolean isEmpty() {
        return polls.isEmpty();
    }

    /** Records between the committed offset and the log end at the last poll. */
    long lagRecords() {
        Poll last = polls.peekLast();
        return last == null ? 0 : Math.max(0, last.end() - last.committed());
    }

    /**
     * Seconds since the next record to consume was produced, at the last poll: 0 when the group is
     * caught up, NaN when it cannot be told (a single poll behind, or no production seen).
     */
    double lagSeconds() {
        Poll last = polls.peekLast();
        if (last == null) {
            return Double.NaN;
        }
        long committed = last.committed();
        if (committed >= last.end()) {
            return 0;
        }
        Poll before = null;
        Iterator<Poll> newestFirst = polls.descendingIterator();
        Poll after = null;
        while (newestFirst.hasNext()) {
            Poll poll = newestFirst.next();
            if (poll.end() <= committed) {
                before = poll;
                break;
            }
            after = poll;
        }
        if (before != null) {
            // The log end passed the committed offset between these two polls.
            double share = (double) (committed - before.end()) / (after.end() - before.end());
            double producedAt = before.time() + share * (after.time() - before.time());
            return Math.max(0, (last.time() - producedAt) / 1000.0);
        }
        Poll first = polls.peekFirst();
        if (first == last) {
            return Double.NaN;
        }
        double producedPerMs = (double) (last.end() - first.end()) / (last.time() - first.time());
        if (!(producedPerMs > 0)) {
            return Double.NaN;
        }
        double producedAt = first.time() - (first.end() - committed) / producedPerMs;
        return (last.time() - producedAt) / 1000.0;
    }

    /**
     * Records consumed (committed) per second over the last {@code windowMs}, or NaN with fewer
     * than two polls. Committed offsets move in steps (Flink commits on checkpoints), so the window
     * should span a few of them.
     */
    double consumedPerSecond(long windowMs) {
        Poll last = polls.peekLast();
        Poll from = null;
        Poll previous = null;
        for (Poll poll : polls) {
            if (poll == last) {
                // Fewer than two polls in the window: the one before it, at least.
                from = from == null ? previous : from;
                break;
            }
            if (from == null && poll.time() >= last.time() - windowMs) {
                from = poll;
            }
            previous = poll;
        }
        if (from == null) {
            return Double.NaN;
        }
        return Math.max(0, last.committed() - from.committed())
                * 1000.0
                / (last.time() - from.time());
    }
}

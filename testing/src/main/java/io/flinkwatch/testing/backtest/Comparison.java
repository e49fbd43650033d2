package io.flinkwatch.testing.backtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * What other parameters change, episode by episode: an episode of the same alert instance
 * (fingerprint) whose span overlaps is the same episode, earlier or later (shifted) or unchanged;
 * the rest were removed (only with the first parameters) or added (only with the others).
 */
public final class Comparison {

    private Comparison() {}

    /** How one episode differs. */
    public enum Kind {
        SAME,
        SHIFTED,
        REMOVED,
        ADDED
    }

    /**
     * One episode's change.
     *
     * @param baseline the episode with the first parameters (null when added)
     * @param variant the episode with the compared parameters (null when removed)
     */
    public record Change(Kind kind, @Nullable Episode baseline, @Nullable Episode variant) {

        /** The episode to show: the baseline one, or the added one. */
        public Episode episode() {
            return baseline != null ? baseline : Objects.requireNonNull(variant);
        }

        /** Variant start minus baseline start, ms (0 unless both exist). */
        public long startShiftMs() {
            return baseline != null && variant != null
                    ? variant.startsAt() - baseline.startsAt()
                    : 0;
        }

        /** Variant end minus baseline end, ms, at the recording's end for open episodes. */
        public long endShiftMs(long recordingEnd) {
            return baseline != null && variant != null
                    ? variant.firing(recordingEnd).to() - baseline.firing(recordingEnd).to()
                    : 0;
        }
    }

    public static List<Change> compare(
            List<Episode> baseline, List<Episode> variant, long recordingEnd) {
        List<Change> changes = new ArrayList<>();
        Set<Episode> matched =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Episode a : baseline) {
            Episode match = null;
            for (Episode b : variant) {
                if (!matched.contains(b)
                        && b.fingerprint().equals(a.fingerprint())
                        && overlap(a, b, recordingEnd)) {
                    match = b;
                    break;
                }
            }
            if (match == null) {
                changes.add(new Change(Kind.REMOVED, a, null));
                continue;
            }
            matched.add(match);
            boolean same =
                    match.startsAt() == a.startsAt()
                            && match.firing(recordingEnd).to() == a.firing(recordingEnd).to();
            changes.add(new Change(same ? Kind.SAME : Kind.SHIFTED, a, match));
        }
        for (Episode b : variant) {
            if (!matched.contains(b)) {
                changes.add(new Change(Kind.ADDED, null, b));
            }
        }
        changes.sort(Comparator.comparingLong(change -> change.episode().startsAt()));
        return changes;
    }

    private static boolean overlap(Episode a, Episode b, long recordingEnd) {
        long aFrom = Math.min(a.pendingFrom(), a.startsAt());
        long bFrom = Math.min(b.pendingFrom(), b.startsAt());
        return aFrom <= b.firing(recordingEnd).to() && bFrom <= a.firing(recordingEnd).to();
    }

    /** Episodes whose kind is not {@link Kind#SAME}. */
    public static long changed(List<Change> changes) {
        Set<Kind> kinds = new HashSet<>(List.of(Kind.SHIFTED, Kind.REMOVED, Kind.ADDED));
        return changes.stream().filter(change -> kinds.contains(change.kind())).count();
    }
}

package io.flinkwatch.job.lifecycle;

import java.io.Serializable;
import java.util.List;

/**
 * How alert instances are published, as Alertmanager would route them.
 *
 * @param repeatIntervalMs a firing, unsuppressed alert is re-notified this long after its last
 *     notification; 0 never re-notifies
 * @param resolveHoldMs a cleared alert stays firing this long before it is resolved; if its
 *     condition returns meanwhile the alert simply goes on, so a flapping condition pages once
 *     (Prometheus' {@code keep_firing_for}); 0 resolves at once
 * @param inhibitions which firing alerts suppress which others
 * @param grouping the labels events are grouped by
 */
public record LifecyclePolicy(
        long repeatIntervalMs,
        long resolveHoldMs,
        List<InhibitionRule> inhibitions,
        AlertGrouping grouping)
        implements Serializable {

    public LifecyclePolicy {
        if (repeatIntervalMs < 0 || resolveHoldMs < 0) {
            throw new IllegalArgumentException("intervals must not be negative");
        }
        inhibitions = List.copyOf(inhibitions);
    }

    /** No repeats, no hold, no inhibition: every transition is published as it happens. */
    public static LifecyclePolicy plain(AlertGrouping grouping) {
        return new LifecyclePolicy(0, 0, List.of(), grouping);
    }
}

package io.flinkwatch.job.lifecycle;

import io.flinkwatch.job.metrics.FlinkwatchMetrics.OpenAlertState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open alerts of one lifecycle subtask by alert name and state, for the {@code openAlerts}
 * gauges. A book's alerts are taken out before a change and put back after it, so the tally moves
 * with every change of every book; after a restore it is rebuilt by adding every restored book.
 *
 * <p>An alert is {@link OpenAlertState#FIRING} from its FIRING event until its RESOLVED event
 * (through the resolve hold) unless an inhibition suppresses it, and {@link
 * OpenAlertState#SUPPRESSED} while one does (whether or not it was published before). Only the
 * names given at construction are tallied (the enabled rules); the task thread writes, the metrics
 * thread reads.
 */
public final class OpenAlerts {

    private final Map<String, Tally> byName = new HashMap<>();

    public OpenAlerts(List<String> alertnames) {
        for (String name : alertnames) {
            byName.put(name, new Tally());
        }
    }

    /** Counts the alerts of {@code book} in ({@code sign} 1) or out ({@code sign} -1). */
    public void add(AlertBook book, int sign) {
        if (book == null) {
            return;
        }
        for (TrackedAlert alert : book.alerts.values()) {
            Tally tally = byName.get(alert.rule);
            if (tally == null) {
                continue;
            }
            if (alert.suppressed()) {
                tally.suppressed += sign;
            } else if (alert.published) {
                tally.firing += sign;
            }
        }
    }

    /** The alerts named {@code alertname} in {@code state}; 0 for a name not tallied. */
    public long count(String alertname, OpenAlertState state) {
        Tally tally = byName.get(alertname);
        if (tally == null) {
            return 0;
        }
        return state == OpenAlertState.FIRING ? tally.firing : tally.suppressed;
    }

    private static final class Tally {
        // Single writer (the task thread).
        volatile long firing;
        volatile long suppressed;
    }
}

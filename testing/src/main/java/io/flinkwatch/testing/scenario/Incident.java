package io.flinkwatch.testing.scenario;

import java.time.Duration;
import javax.annotation.Nullable;

/**
 * A scripted incident: {@code kind} affects job {@code jobName} (a job's handle, where namesakes
 * run) from {@code from} (since the scenario start) until {@code until} (exclusive; null for the
 * rest of the scenario).
 *
 * @param magnitude the strength of the incident; its meaning depends on the kind
 */
public record Incident(
        String jobName,
        IncidentKind kind,
        Duration from,
        @Nullable Duration until,
        double magnitude) {

    public boolean activeAt(Duration sinceStart) {
        return sinceStart.compareTo(from) >= 0
                && (until == null || sinceStart.compareTo(until) < 0);
    }

    public boolean startsAt(Duration sinceStart, Duration step) {
        return sinceStart.compareTo(from) >= 0 && sinceStart.minus(step).compareTo(from) < 0;
    }
}

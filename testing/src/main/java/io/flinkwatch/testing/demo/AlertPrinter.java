package io.flinkwatch.testing.demo;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints alert events for people: one line each, plus the evidence, with times relative to a start.
 */
final class AlertPrinter {

    private final PrintStream out;
    private final Instant scenarioStart;

    AlertPrinter(PrintStream out, Instant scenarioStart) {
        this.out = out;
        this.scenarioStart = scenarioStart;
    }

    void print(AlertEvent event) {
        boolean firing = event.status() == AlertStatus.FIRING;
        boolean started = event.reason() == AlertReason.STARTED;
        long at = firing ? (started ? event.startsAt() : event.updatedAt()) : event.endsAt();
        out.printf(
                "%s  %-8s %-8s %-34s %s%n",
                relative(at),
                firing && !started ? event.reason() : event.status(),
                event.severity().label(),
                event.alertname(),
                event.annotations().getOrDefault("summary", ""));
        if (event.suppressed()) {
            out.printf(
                    "           suppressed by %s%n",
                    event.inhibitedBy().stream().map(i -> i.alertname()).toList());
        }
        if (firing && started) {
            Map<String, String> evidence = new TreeMap<>(event.evidence().facts());
            event.evidence()
                    .values()
                    .forEach((name, value) -> evidence.put(name, number(name, value)));
            out.printf("           evidence: %s%n", evidence);
            String runbook = event.annotations().getOrDefault("runbook", "");
            out.printf("           runbook:  %s%n", runbook.lines().findFirst().orElse(""));
        } else if (!firing) {
            out.printf(
                    "           lasted %s%n",
                    words(Duration.ofMillis(event.endsAt() - event.startsAt())));
        }
    }

    /** Times as event-time offsets, whole numbers without a fraction. */
    private String number(String name, double value) {
        if (name.endsWith("At")) {
            return relative((long) value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format("%.3f", value);
    }

    String relative(long eventTime) {
        Duration since = Duration.ofMillis(eventTime - scenarioStart.toEpochMilli());
        return String.format("[+%02d:%02d]", since.toMinutes(), since.toSecondsPart());
    }

    private static String words(Duration duration) {
        return duration.toMinutes() + "m" + String.format("%02d", duration.toSecondsPart()) + "s";
    }
}

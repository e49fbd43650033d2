package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.InhibitingAlert;
import io.flinkwatch.alerts.event.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Alert events written by hand for the backtest's unit tests, at minutes after a start. */
final class Events {

    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private Events() {}

    static long min(double minutes) {
        return T0 + Math.round(minutes * 60_000);
    }

    static AlertEvent event(
            String fingerprint,
            String alertname,
            AlertReason reason,
            double startsAt,
            Double endsAt,
            double updatedAt,
            boolean suppressed) {
        return new AlertEvent(
                alertname,
                Severity.CRITICAL,
                reason == AlertReason.RESOLVED ? AlertStatus.RESOLVED : AlertStatus.FIRING,
                Map.of(
                        "alertname", alertname,
                        "severity", "critical",
                        "cluster", "prod",
                        "job_name", "orders",
                        "task_name", "Sink: <out>",
                        "subtask_index", "1"),
                Map.of("summary", "sink <b>busy</b>"),
                min(startsAt),
                endsAt == null ? null : min(endsAt),
                fingerprint,
                "{cluster=\"prod\"}",
                Evidence.builder()
                        .value("busyTimeMsPerSecond", 990)
                        .fact("bottleneck", "<sink>")
                        .build(),
                reason,
                min(updatedAt),
                suppressed ? List.of(new InhibitingAlert("FlinkJobNotRunning", "f0")) : List.of());
    }

    static AlertEvent started(String fingerprint, double at) {
        return event(
                fingerprint, "FlinkHighBackpressure", AlertReason.STARTED, at, null, at, false);
    }

    static AlertEvent resolved(String fingerprint, double startsAt, double endsAt, double at) {
        return event(
                fingerprint,
                "FlinkHighBackpressure",
                AlertReason.RESOLVED,
                startsAt,
                endsAt,
                at,
                false);
    }

    /**
     * The episode of one alert of job {@code orders} on cluster {@code prod} that started at minute
     * 2 with this evidence (a warning, firing for a minute).
     */
    static Episode episode(String alertname, Map<String, String> extraLabels, Evidence evidence) {
        Map<String, String> labels =
                new java.util.HashMap<>(
                        Map.of(
                                "alertname",
                                alertname,
                                "severity",
                                "warning",
                                "cluster",
                                "prod",
                                "job_name",
                                "orders"));
        labels.putAll(extraLabels);
        AlertEvent started =
                new AlertEvent(
                        alertname,
                        Severity.WARNING,
                        AlertStatus.FIRING,
                        labels,
                        Map.of(),
                        min(2),
                        null,
                        "fp",
                        "g",
                        evidence,
                        AlertReason.STARTED,
                        min(2),
                        List.of());
        return Episodes.of(List.of(started), name -> java.time.Duration.ofMinutes(1)).get(0);
    }
}

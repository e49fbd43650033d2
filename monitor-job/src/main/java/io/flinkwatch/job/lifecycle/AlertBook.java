package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.Runbooks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alerts of one group of monitored jobs and their lifecycle: one FIRING event when an alert
 * starts, one RESOLVED event when it ends, nothing for repeated signals in between.
 *
 * <p>Mutable; public fields so that Flink can keep it in keyed state as a POJO.
 */
public final class AlertBook {

    /** Firing alerts by fingerprint. */
    public Map<String, OpenAlert> open = new HashMap<>();

    /** Orders signals that share a timestamp, so that the outcome does not depend on arrival. */
    public static final Comparator<AlertSignal> ORDER =
            Comparator.comparingLong(AlertSignal::timestamp)
                    .thenComparing(AlertSignal::kind)
                    .thenComparing(AlertSignal::rule)
                    .thenComparing(AlertSignal::fingerprint);

    /** Applies signals (in {@link #ORDER}) and returns the events to publish. */
    public List<AlertEvent> apply(List<AlertSignal> signals, AlertCatalog catalog, AlertGrouping grouping) {
        List<AlertSignal> ordered = new ArrayList<>(signals);
        ordered.sort(ORDER);
        List<AlertEvent> events = new ArrayList<>();
        for (AlertSignal signal : ordered) {
            Rule rule = catalog.rule(signal.rule());
            if (rule == null) {
                continue;
            }
            switch (signal.kind()) {
                case FIRE -> fire(signal, rule, grouping, events);
                case RESOLVE -> resolve(signal, rule, grouping, events);
            }
        }
        return events;
    }

    private void fire(AlertSignal signal, Rule rule, AlertGrouping grouping, List<AlertEvent> events) {
        if (open.containsKey(signal.fingerprint())) {
            return;
        }
        Map<String, String> labels = new TreeMap<>(signal.labels());
        labels.put(AlertLabels.JOB_ID, signal.jobId());
        OpenAlert alert = new OpenAlert(signal.rule(), labels, signal.timestamp(), signal.evidence());
        open.put(signal.fingerprint(), alert);
        events.add(event(rule, signal.fingerprint(), alert, AlertStatus.FIRING, null, alert.evidence(), grouping));
    }

    private void resolve(AlertSignal signal, Rule rule, AlertGrouping grouping, List<AlertEvent> events) {
        OpenAlert alert = open.remove(signal.fingerprint());
        if (alert == null) {
            return;
        }
        long endsAt = Math.max(signal.timestamp(), alert.startsAt());
        Evidence evidence = Evidence.builder().addAll(alert.evidence()).addAll(signal.evidence()).build();
        events.add(event(rule, signal.fingerprint(), alert, AlertStatus.RESOLVED, endsAt, evidence, grouping));
    }

    static AlertEvent event(
            Rule rule,
            String fingerprint,
            OpenAlert alert,
            AlertStatus status,
            Long endsAt,
            Evidence evidence,
            AlertGrouping grouping) {
        Map<String, String> annotations = new TreeMap<>();
        annotations.put("summary", rule.summary(alert.labels(), evidence));
        annotations.put("description", rule.description(alert.labels(), evidence));
        annotations.put("runbook", Runbooks.numbered(rule.runbook()));
        return new AlertEvent(
                rule.name(),
                rule.severity(),
                status,
                alert.labels(),
                annotations,
                alert.startsAt(),
                endsAt,
                fingerprint,
                grouping.groupKey(alert.labels()),
                evidence);
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }
}

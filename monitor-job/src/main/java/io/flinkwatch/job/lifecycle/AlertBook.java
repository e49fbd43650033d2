package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.InhibitingAlert;
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
 * The firing alerts of one monitored job and their lifecycle, as Alertmanager would publish them:
 * one FIRING event when an alert starts, one RESOLVED event when it ends, and in between only a
 * re-notification every repeat interval, or a change of its suppression.
 *
 * <ul>
 *   <li><b>Flapping.</b> A cleared alert waits out the resolve hold; if its condition returns
 *       meanwhile it goes on without a new page.
 *   <li><b>Inhibition.</b> An alert inhibited by a firing alert is not published; when the
 *       inhibition ends and it still holds, it starts then. An alert that was already published is
 *       not orphaned: a FIRING event with reason SUPPRESSED says it is suppressed and by what,
 *       UNSUPPRESSED says when that ends, and its RESOLVED is published in any case.
 * </ul>
 *
 * <p>Signals of one instant are applied first, then the consequences are settled, so the outcome
 * does not depend on the order of signals that share a timestamp. Mutable; public fields so that
 * Flink can keep it in keyed state as a POJO.
 */
public final class AlertBook {

    /** Firing alerts by fingerprint. */
    public Map<String, TrackedAlert> alerts = new HashMap<>();

    /**
     * The latest instant settled. A wall-clock signal can settle the book ahead of the watermark;
     * timers that fire later for earlier instants must not take it back in time.
     */
    public long settledUpTo = Long.MIN_VALUE;

    /** The evidence fact that says why an alert resolved when its condition did not clear. */
    public static final String RESOLVED_BECAUSE = "resolvedBecause";

    /** Orders signals that share a timestamp, so that the outcome does not depend on arrival. */
    public static final Comparator<AlertSignal> ORDER =
            Comparator.comparingLong(AlertSignal::timestamp)
                    .thenComparing(AlertSignal::kind)
                    .thenComparing(AlertSignal::rule)
                    .thenComparing(AlertSignal::fingerprint);

    /** An alert that became suppressed (for the suppressed-alerts metric and the debug log). */
    public record Suppression(
            String alertname,
            String fingerprint,
            Map<String, String> labels,
            List<InhibitingAlert> inhibitedBy) {}

    /** The events to publish, in order, and the alerts that became suppressed. */
    public record Outcome(List<AlertEvent> events, List<Suppression> suppressions) {}

    /**
     * Applies the signals (in {@link #ORDER}) and settles everything due at {@code now}:
     * resolutions whose hold has passed, inhibitions that start or end, re-notifications.
     */
    public Outcome apply(
            List<AlertSignal> signals, long now, AlertCatalog catalog, LifecyclePolicy policy) {
        List<AlertSignal> ordered = new ArrayList<>(signals);
        ordered.sort(ORDER);
        for (AlertSignal signal : ordered) {
            if (signal.kind() == AlertSignal.Kind.RETIRE) {
                retire(signal);
            } else if (catalog.rule(signal.rule()) != null) {
                record(signal);
            }
        }
        settledUpTo = Math.max(settledUpTo, now);
        return settle(settledUpTo, catalog, policy);
    }

    /**
     * The earliest event time at which something is due (a resolution, a repeat), or {@link
     * Long#MAX_VALUE}.
     */
    public long nextDeadline(LifecyclePolicy policy) {
        long next = Long.MAX_VALUE;
        for (TrackedAlert alert : alerts.values()) {
            if (alert.cleared()) {
                next =
                        Math.min(
                                next,
                                alert.retired
                                        ? alert.clearedAt
                                        : alert.clearedAt + policy.resolveHoldMs());
            } else if (policy.repeatIntervalMs() > 0 && alert.published && !alert.suppressed()) {
                next = Math.min(next, alert.lastNotifiedAt + policy.repeatIntervalMs());
            }
        }
        return next;
    }

    public boolean isEmpty() {
        return alerts.isEmpty();
    }

    /** Whether an alert of the book belongs to a rule the catalog no longer evaluates. */
    public boolean hasAlertsOfDisabledRules(AlertCatalog catalog) {
        for (TrackedAlert alert : alerts.values()) {
            if (catalog.rule(alert.rule) == null) {
                return true;
            }
        }
        return false;
    }

    static String disabledReason(String rule) {
        return rule
                + " was disabled (--rules.disabled) while this alert fired: it is no longer"
                + " evaluated, so it is resolved; its condition may still hold";
    }

    private void record(AlertSignal signal) {
        TrackedAlert alert = alerts.get(signal.fingerprint());
        switch (signal.kind()) {
            case FIRE -> {
                if (alert == null) {
                    boolean identifiedByJobId = signal.labels().containsKey(AlertLabels.JOB_ID);
                    Map<String, String> labels = new TreeMap<>(signal.labels());
                    // Alerts about no single job (FlinkwatchInputSilent) have no job id.
                    if (!signal.jobId().isEmpty()) {
                        labels.put(AlertLabels.JOB_ID, signal.jobId());
                    }
                    alerts.put(
                            signal.fingerprint(),
                            new TrackedAlert(
                                    signal.rule(),
                                    labels,
                                    identifiedByJobId,
                                    signal.timestamp(),
                                    signal.evidence()));
                } else {
                    resume(alert);
                }
            }
            case RAISE -> {
                if (alert != null) {
                    resume(alert);
                }
            }
            case RESOLVE -> {
                if (alert != null && !alert.cleared()) {
                    alert.clearedAt = Math.max(signal.timestamp(), alert.startsAt);
                    alert.clearEvidence = signal.evidence();
                }
            }
        }
    }

    /** The job is gone: every alert of the book ends now, whatever its rule or hold. */
    private void retire(AlertSignal signal) {
        for (TrackedAlert alert : alerts.values()) {
            if (!alert.cleared()) {
                alert.clearedAt = Math.max(signal.timestamp(), alert.startsAt);
                alert.clearEvidence = signal.evidence();
            } else {
                alert.clearEvidence =
                        Evidence.builder()
                                .addAll(alert.clearEvidence)
                                .addAll(signal.evidence())
                                .build();
            }
            alert.retired = true;
        }
    }

    /** The condition returned within the resolve hold: the alert goes on. */
    private static void resume(TrackedAlert alert) {
        alert.clearedAt = TrackedAlert.HOLDING;
        alert.clearEvidence = null;
    }

    private Outcome settle(long now, AlertCatalog catalog, LifecyclePolicy policy) {
        List<AlertEvent> events = new ArrayList<>();
        List<Suppression> suppressions = new ArrayList<>();

        for (String fingerprint : sortedFingerprints()) {
            TrackedAlert alert = alerts.get(fingerprint);
            Rule rule = catalog.rule(alert.rule);
            if (rule == null) {
                // Disabled since the alert was recorded (a restart with other parameters): on-call
                // learns that it ends, and why, rather than never hearing of it again.
                alerts.remove(fingerprint);
                Rule disabled = catalog.disabledRule(alert.rule);
                if (alert.published && disabled != null) {
                    events.add(
                            event(
                                    disabled,
                                    fingerprint,
                                    alert,
                                    AlertReason.RESOLVED,
                                    now,
                                    now,
                                    Evidence.builder()
                                            .addAll(alert.evidence)
                                            .fact(RESOLVED_BECAUSE, disabledReason(alert.rule))
                                            .build(),
                                    policy));
                }
            } else if (alert.cleared()
                    && (alert.retired ? alert.clearedAt : alert.clearedAt + policy.resolveHoldMs())
                            <= now) {
                alerts.remove(fingerprint);
                if (alert.published) {
                    Evidence evidence =
                            Evidence.builder()
                                    .addAll(alert.evidence)
                                    .addAll(alert.clearEvidence)
                                    .build();
                    events.add(
                            event(
                                    rule,
                                    fingerprint,
                                    alert,
                                    AlertReason.RESOLVED,
                                    now,
                                    alert.clearedAt,
                                    evidence,
                                    policy));
                }
            }
        }

        // Starts first, then changes of suppression: an inhibiting alert is published before the
        // alerts it suppresses.
        List<String> order = sortedFingerprints();
        Map<String, List<InhibitingAlert>> inhibitors = new HashMap<>();
        for (String fingerprint : order) {
            inhibitors.put(fingerprint, inhibitorsOf(fingerprint, alerts.get(fingerprint), policy));
        }
        for (String fingerprint : order) {
            TrackedAlert alert = alerts.get(fingerprint);
            List<InhibitingAlert> by = inhibitors.get(fingerprint);
            if (alert.published || alert.cleared()) {
                continue;
            }
            boolean wasSuppressed = alert.suppressed();
            alert.inhibitedBy = by;
            if (by.isEmpty()) {
                alert.published = true;
                alert.lastNotifiedAt = now;
                events.add(
                        event(
                                catalog.rule(alert.rule),
                                fingerprint,
                                alert,
                                AlertReason.STARTED,
                                now,
                                null,
                                alert.evidence,
                                policy));
            } else if (!wasSuppressed) {
                suppressions.add(new Suppression(alert.rule, fingerprint, alert.labels, by));
            }
        }
        for (String fingerprint : order) {
            TrackedAlert alert = alerts.get(fingerprint);
            List<InhibitingAlert> by = inhibitors.get(fingerprint);
            if (!alert.published) {
                alert.inhibitedBy = by;
                continue;
            }
            boolean wasSuppressed = alert.suppressed();
            alert.inhibitedBy = by;
            Rule rule = catalog.rule(alert.rule);
            if (!wasSuppressed && !by.isEmpty()) {
                suppressions.add(new Suppression(alert.rule, fingerprint, alert.labels, by));
                events.add(
                        event(
                                rule,
                                fingerprint,
                                alert,
                                AlertReason.SUPPRESSED,
                                now,
                                null,
                                alert.evidence,
                                policy));
            } else if (wasSuppressed && by.isEmpty() && !alert.cleared()) {
                alert.lastNotifiedAt = now;
                events.add(
                        event(
                                rule,
                                fingerprint,
                                alert,
                                AlertReason.UNSUPPRESSED,
                                now,
                                null,
                                alert.evidence,
                                policy));
            }
        }

        if (policy.repeatIntervalMs() > 0) {
            for (String fingerprint : sortedFingerprints()) {
                TrackedAlert alert = alerts.get(fingerprint);
                if (alert.published
                        && !alert.suppressed()
                        && !alert.cleared()
                        && alert.lastNotifiedAt + policy.repeatIntervalMs() <= now) {
                    alert.lastNotifiedAt = now;
                    events.add(
                            event(
                                    catalog.rule(alert.rule),
                                    fingerprint,
                                    alert,
                                    AlertReason.REPEATED,
                                    now,
                                    null,
                                    alert.evidence,
                                    policy));
                }
            }
        }
        return new Outcome(events, suppressions);
    }

    private List<InhibitingAlert> inhibitorsOf(
            String fingerprint, TrackedAlert target, LifecyclePolicy policy) {
        if (policy.inhibitions().isEmpty()) {
            return List.of();
        }
        List<InhibitingAlert> inhibitors = new ArrayList<>();
        for (String sourceFingerprint : sortedFingerprints()) {
            TrackedAlert source = alerts.get(sourceFingerprint);
            if (sourceFingerprint.equals(fingerprint) || !sameJob(source, target)) {
                continue;
            }
            for (InhibitionRule inhibition : policy.inhibitions()) {
                if (inhibition.inhibits(source.rule, source.labels, target.rule, target.labels)) {
                    inhibitors.add(new InhibitingAlert(source.rule, sourceFingerprint));
                    break;
                }
            }
        }
        return inhibitors;
    }

    /**
     * Whether two alerts of the key are about the same job. Without namesakes they are (a job id
     * that changed is a resubmission of the same job); an alert raised while namesakes ran concerns
     * its own job id only, so a namesake that is down silences nothing of its twin's.
     */
    private static boolean sameJob(TrackedAlert source, TrackedAlert target) {
        return !(source.identifiedByJobId || target.identifiedByJobId)
                || source.labels
                        .getOrDefault(AlertLabels.JOB_ID, "")
                        .equals(target.labels.getOrDefault(AlertLabels.JOB_ID, ""));
    }

    /** Alerts in the order their events are published: by start, then name, then fingerprint. */
    private List<String> sortedFingerprints() {
        List<String> fingerprints = new ArrayList<>(alerts.keySet());
        fingerprints.sort(
                Comparator.<String>comparingLong(fingerprint -> alerts.get(fingerprint).startsAt)
                        .thenComparing(fingerprint -> alerts.get(fingerprint).rule)
                        .thenComparing(Comparator.naturalOrder()));
        return fingerprints;
    }

    private static AlertEvent event(
            Rule rule,
            String fingerprint,
            TrackedAlert alert,
            AlertReason reason,
            long now,
            Long endsAt,
            Evidence evidence,
            LifecyclePolicy policy) {
        Map<String, String> annotations = new TreeMap<>();
        annotations.put("summary", rule.summary(alert.labels, evidence));
        annotations.put("description", rule.description(alert.labels, evidence));
        annotations.put("runbook", Runbooks.numbered(rule.runbook()));
        return new AlertEvent(
                rule.name(),
                rule.severity(),
                reason == AlertReason.RESOLVED ? AlertStatus.RESOLVED : AlertStatus.FIRING,
                alert.labels,
                annotations,
                alert.startsAt,
                endsAt,
                fingerprint,
                policy.grouping().groupKey(alert.labels),
                evidence,
                reason,
                now,
                alert.inhibitedBy);
    }
}

package io.flinkwatch.job.metrics;

import io.flinkwatch.alerts.alertmanager.AlertmanagerForwarding;
import java.util.List;

/**
 * Flinkwatch's own health metrics: every name its operators register, declared once. Operators
 * register them under these constants; {@link #ALL} lists each with the name Flink's Prometheus
 * reporter gives it, so that the docs and the Grafana dashboard can be checked against what the job
 * really exports (a renamed metric fails those tests).
 *
 * <p>All are operator metrics (scope {@code taskmanager.job.task.operator}), one series per
 * subtask: sum or take the maximum over {@code subtask_index} in queries. A metric inside a
 * key/value group ({@code addGroup(key, value)}) has the key in its name and the value as a label,
 * e.g. {@code flink_taskmanager_job_task_operator_reason_numDeadLetters{reason="LATE"}}.
 */
public final class FlinkwatchMetrics {

    /** The Prometheus reporter's prefix for operator metrics. */
    public static final String PROMETHEUS_OPERATOR_PREFIX = "flink_taskmanager_job_task_operator_";

    // validate snapshots (SnapshotRouter)
    public static final String SNAPSHOTS_ACCEPTED = "numSnapshotsAccepted";
    public static final String SNAPSHOTS_ACCEPTED_RATE = "numSnapshotsAcceptedPerSecond";
    public static final String DEAD_LETTERS = "numDeadLetters";
    public static final String DEAD_LETTERS_RATE = "numDeadLettersPerSecond";

    /** Group key of the dead letters by reason; the value is a {@code RejectionReason}. */
    public static final String REASON = "reason";

    public static final String EVENT_TIME_LAG = "eventTimeLagMs";

    // analytics (JobAnalytics)
    public static final String WATCHED_JOBS = "watchedJobs";
    public static final String WATCHED_SERIES = "watchedSeries";
    public static final String LATE_SAMPLES = "lateSamples";

    // detection
    public static final String LATE_CONDITION_EDGES = "lateConditionEdges";
    public static final String LATE_STATUS_SAMPLES = "lateStatusSamples";

    // alert lifecycle (AlertLifecycleFunction)
    /** Group key of the open alerts by name; the value is the alert name. */
    public static final String ALERTNAME = "alertname";

    /** Group key of the open alerts by state; the value is one of {@link OpenAlertState}. */
    public static final String STATE = "state";

    public static final String OPEN_ALERTS = "openAlerts";
    public static final String ALERT_EVENTS = "numAlertEvents";
    public static final String ALERT_EVENTS_RATE = "numAlertEventsPerSecond";
    public static final String SUPPRESSED_ALERTS = "suppressedAlerts";

    /** The states open alerts are counted in; the label values are the lower-case names. */
    public enum OpenAlertState {
        /** Published and not suppressed, until its RESOLVED event (resolve hold included). */
        FIRING,
        /** Held back or muted by an inhibition. */
        SUPPRESSED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The kind of a Flink metric. */
    public enum Kind {
        COUNTER,
        METER,
        GAUGE
    }

    /**
     * One exported metric.
     *
     * @param groupKeys keys of the key/value groups it is registered under, outermost first (their
     *     values become labels of the same names)
     * @param operator the name the pipeline gives the operator that registers it ({@link
     *     #operatorLabel()} is how it appears in the {@code operator_name} label)
     */
    public record Exported(
            String name, List<String> groupKeys, Kind kind, String operator, String meaning) {

        public Exported {
            groupKeys = List.copyOf(groupKeys);
        }

        /**
         * Its {@code operator_name} label as Flink's Prometheus reporter writes it: every character
         * other than letters, digits, {@code :} and {@code _} becomes {@code _}.
         */
        public String operatorLabel() {
            return prometheusLabel(operator);
        }

        /** The name Flink's Prometheus reporter exports it under (default scope formats). */
        public String prometheusName() {
            StringBuilder name = new StringBuilder(PROMETHEUS_OPERATOR_PREFIX);
            for (String key : groupKeys) {
                name.append(key).append('_');
            }
            return name.append(this.name).toString();
        }
    }

    // Operator names, as the pipeline sets them.
    public static final String ROUTER = "validate snapshots";
    public static final String ANALYTICS = "analytics: job health, throughput, backpressure, lag";
    public static final String LIFECYCLE = "alert lifecycle";
    public static final String LATE_EDGES = "detection: late condition edges (counted)";
    public static final String RESTARTS = "detection: job restarts";

    /** The Alertmanager forwarding, the pipeline's last operator beside the alerts topic. */
    public static final String ALERTMANAGER = "alertmanager";

    /** Every metric Flinkwatch registers, in pipeline order. */
    public static final List<Exported> ALL =
            List.of(
                    new Exported(
                            SNAPSHOTS_ACCEPTED,
                            List.of(),
                            Kind.COUNTER,
                            ROUTER,
                            "snapshots accepted (valid, in time)"),
                    new Exported(
                            SNAPSHOTS_ACCEPTED_RATE,
                            List.of(),
                            Kind.METER,
                            ROUTER,
                            "snapshots accepted per second"),
                    new Exported(
                            DEAD_LETTERS,
                            List.of(),
                            Kind.COUNTER,
                            ROUTER,
                            "records sent to the dead-letter topic"),
                    new Exported(
                            DEAD_LETTERS_RATE,
                            List.of(),
                            Kind.METER,
                            ROUTER,
                            "dead letters per second"),
                    new Exported(
                            DEAD_LETTERS,
                            List.of(REASON),
                            Kind.COUNTER,
                            ROUTER,
                            "dead letters by reason (label reason)"),
                    new Exported(
                            EVENT_TIME_LAG,
                            List.of(),
                            Kind.GAUGE,
                            ROUTER,
                            "wall clock minus the subtask's watermark, ms (0 while all its"
                                    + " partitions are idle)"),
                    new Exported(
                            WATCHED_JOBS,
                            List.of(),
                            Kind.GAUGE,
                            ANALYTICS,
                            "monitored jobs (cluster and job name) with samples within the"
                                    + " staleness"),
                    new Exported(
                            WATCHED_SERIES,
                            List.of(),
                            Kind.GAUGE,
                            ANALYTICS,
                            "sample series kept: one per job run, per subtask and per operator"
                                    + " subtask"),
                    new Exported(
                            EVENT_TIME_LAG,
                            List.of(),
                            Kind.GAUGE,
                            ANALYTICS,
                            "wall clock minus the operator's watermark, ms"),
                    new Exported(
                            LATE_SAMPLES,
                            List.of(),
                            Kind.COUNTER,
                            ANALYTICS,
                            "samples whose evaluation instant had passed"),
                    new Exported(
                            LATE_CONDITION_EDGES,
                            List.of(),
                            Kind.COUNTER,
                            LATE_EDGES,
                            "condition edges that reached the CEP pattern late"),
                    new Exported(
                            LATE_STATUS_SAMPLES,
                            List.of(),
                            Kind.COUNTER,
                            RESTARTS,
                            "job status samples that arrived late"),
                    new Exported(
                            OPEN_ALERTS,
                            List.of(ALERTNAME, STATE),
                            Kind.GAUGE,
                            LIFECYCLE,
                            "open alerts by name and state (firing, suppressed)"),
                    new Exported(
                            ALERT_EVENTS,
                            List.of(),
                            Kind.COUNTER,
                            LIFECYCLE,
                            "alert events published (FIRING and RESOLVED)"),
                    new Exported(
                            ALERT_EVENTS_RATE,
                            List.of(),
                            Kind.METER,
                            LIFECYCLE,
                            "alert events published per second"),
                    new Exported(
                            SUPPRESSED_ALERTS,
                            List.of(),
                            Kind.COUNTER,
                            LIFECYCLE,
                            "alerts that became suppressed by an inhibition"),
                    new Exported(
                            EVENT_TIME_LAG,
                            List.of(),
                            Kind.GAUGE,
                            LIFECYCLE,
                            "wall clock minus the operator's watermark, ms"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_POSTED,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "posts Alertmanager accepted (cumulative)"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_REJECTED,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "alert events Alertmanager refused for good, logged by name"
                                    + " (cumulative)"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_FAILED_POSTS,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "forwarding failures: failed posts, retried (cumulative)"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_AUTHENTICATION_FAILURES,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "posts refused for their credentials or not made for an unreadable"
                                    + " secret file (cumulative)"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_DROPPED,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "alert events dropped from the full queue (cumulative)"),
                    new Exported(
                            AlertmanagerForwarding.METRIC_QUEUED,
                            List.of(),
                            Kind.GAUGE,
                            ALERTMANAGER,
                            "queue depth: alert events waiting to be posted"));

    /** A label value as Flink's Prometheus reporter writes it. */
    public static String prometheusLabel(String value) {
        return value.replaceAll("[^a-zA-Z0-9:_]", "_");
    }

    private FlinkwatchMetrics() {}
}

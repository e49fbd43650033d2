package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One episode of one alert instance, rebuilt from the events the pipeline published: from its
 * {@code STARTED} event to its {@code RESOLVED} event (or the end of the recording).
 *
 * @param fingerprint the alert instance
 * @param alertname the rule
 * @param severity critical or warning
 * @param labels the labels of the first event
 * @param pendingFrom when the condition was first raised: {@code startsAt} minus the rule's {@code
 *     for} duration (the lifecycle fires at the first evaluation at which the condition has held
 *     that long)
 * @param startsAt when it started firing (event time, epoch ms)
 * @param endsAt when its condition stopped holding; null when it still fired at the end
 * @param resolvedAt when its RESOLVED event was published (endsAt plus the resolve hold); null when
 *     it still fired at the end
 * @param suppressed the spans during which another alert inhibited it
 * @param evidence the evidence of its STARTED event (the values at firing)
 * @param events every event of the episode, in order
 */
public record Episode(
        String fingerprint,
        String alertname,
        Severity severity,
        Map<String, String> labels,
        long pendingFrom,
        long startsAt,
        @Nullable Long endsAt,
        @Nullable Long resolvedAt,
        List<Span> suppressed,
        Evidence evidence,
        List<AlertEvent> events) {

    public Episode {
        Objects.requireNonNull(fingerprint, "fingerprint");
        labels = Map.copyOf(labels);
        suppressed = List.copyOf(suppressed);
        events = List.copyOf(events);
    }

    /** A span of event time, epoch milliseconds, {@code from} inclusive. */
    public record Span(long from, long to) {
        public long length() {
            return Math.max(0, to - from);
        }
    }

    /** The firing span, up to {@code recordingEnd} when the episode had not ended by then. */
    public Span firing(long recordingEnd) {
        return new Span(startsAt, endsAt != null ? endsAt : Math.max(startsAt, recordingEnd));
    }

    /** Time suppressed within the firing span (up to {@code recordingEnd} if still firing). */
    public long suppressedMs(long recordingEnd) {
        Span firing = firing(recordingEnd);
        long total = 0;
        for (Span span : suppressed) {
            total +=
                    Math.max(
                            0,
                            Math.min(span.to(), firing.to())
                                    - Math.max(span.from(), firing.from()));
        }
        return total;
    }

    /** Cluster and job name: the row of the timeline this episode is drawn in. */
    public String jobKey() {
        return labels.getOrDefault(AlertLabels.CLUSTER, "?")
                + " / "
                + labels.getOrDefault(AlertLabels.JOB_NAME, "?");
    }

    /** Where in the job: vertex, subtask and operator, when the alert is about one. */
    public String where() {
        StringBuilder where = new StringBuilder();
        String task = labels.get(AlertLabels.TASK_NAME);
        if (task != null) {
            where.append(task);
        }
        String subtask = labels.get(AlertLabels.SUBTASK_INDEX);
        if (subtask != null) {
            where.append(" #").append(subtask);
        }
        String operator = labels.get(AlertLabels.OPERATOR_NAME);
        if (operator != null) {
            where.append(" (").append(operator).append(')');
        }
        return where.length() == 0 ? "job" : where.toString();
    }
}

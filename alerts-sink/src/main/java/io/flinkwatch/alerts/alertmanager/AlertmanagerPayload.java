package io.flinkwatch.alerts.alertmanager;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.InhibitingAlert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alert events as Alertmanager's v2 API takes them ({@code POST /api/v2/alerts}: a JSON array of
 * alerts with labels, annotations, startsAt, endsAt and generatorURL).
 *
 * <p>Alertmanager resolves an alert it stops hearing about at its {@code endsAt}, so a firing alert
 * is posted with an {@code endsAt} a few resend intervals ahead and re-posted before then, as
 * Prometheus does; a resolved alert is posted with the time it ended. The evidence and, for a
 * suppressed alert, what inhibits it travel as annotations.
 */
public final class AlertmanagerPayload {

    private static final JsonFactory JSON = new JsonFactory();

    private final String generatorUrlTemplate;
    private final long firingValidityMs;

    /**
     * @param generatorUrlTemplate the generatorURL, with {@code {job_id}}, {@code {job_name}},
     *     {@code {cluster}} and {@code {alertname}} replaced by the alert's labels
     * @param firingValidityMs how far ahead of now a firing alert's endsAt is set
     */
    public AlertmanagerPayload(String generatorUrlTemplate, long firingValidityMs) {
        this.generatorUrlTemplate = generatorUrlTemplate;
        this.firingValidityMs = firingValidityMs;
    }

    /** The JSON array for {@code POST /api/v2/alerts}, with {@code now} as the poster's clock. */
    public byte[] toJson(Collection<AlertEvent> events, long now) {
        return toJson(events, now, Map.of(), now);
    }

    /**
     * The JSON array, with an always-firing watchdog alert of {@code watchdogLabels} (none if
     * empty) that started at {@code watchdogSince}: a dead man's switch, which Alertmanager
     * resolves when Flinkwatch stops re-posting it.
     */
    public byte[] toJson(
            Collection<AlertEvent> events,
            long now,
            Map<String, String> watchdogLabels,
            long watchdogSince) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 * Math.max(1, events.size()));
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            if (!watchdogLabels.isEmpty()) {
                writeWatchdog(json, watchdogLabels, watchdogSince, now);
            }
            for (AlertEvent event : events) {
                write(json, event, now);
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing alerts to memory failed", e);
        }
        return out.toByteArray();
    }

    private void write(JsonGenerator json, AlertEvent event, long now) throws IOException {
        json.writeStartObject();
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> label : new TreeMap<>(event.labels()).entrySet()) {
            json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeEndObject();
        json.writeObjectFieldStart("annotations");
        Map<String, String> annotations = new TreeMap<>(event.annotations());
        annotations.put("fingerprint", event.fingerprint());
        annotations.put("evidence", evidence(event));
        if (event.suppressed()) {
            annotations.put("inhibited_by", inhibitors(event));
        }
        for (Map.Entry<String, String> annotation : annotations.entrySet()) {
            json.writeStringField(annotation.getKey(), annotation.getValue());
        }
        json.writeEndObject();
        json.writeStringField("startsAt", Instant.ofEpochMilli(event.startsAt()).toString());
        long endsAt =
                event.status() == AlertStatus.RESOLVED && event.endsAt() != null
                        ? event.endsAt()
                        : Math.max(now + firingValidityMs, event.startsAt() + firingValidityMs);
        json.writeStringField("endsAt", Instant.ofEpochMilli(endsAt).toString());
        json.writeStringField("generatorURL", generatorUrl(event.labels()));
        json.writeEndObject();
    }

    private void writeWatchdog(JsonGenerator json, Map<String, String> labels, long since, long now)
            throws IOException {
        json.writeStartObject();
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeEndObject();
        json.writeObjectFieldStart("annotations");
        json.writeStringField(
                "summary",
                "Flinkwatch is running and reaches Alertmanager: this alert always fires.");
        json.writeStringField(
                "description",
                "A dead man's switch. Route it to a receiver that pages when its notifications"
                        + " stop: then Flinkwatch is not running, fails over and over, or cannot"
                        + " reach Alertmanager, and no other alert of it can be trusted.");
        json.writeEndObject();
        json.writeStringField("startsAt", Instant.ofEpochMilli(since).toString());
        json.writeStringField("endsAt", Instant.ofEpochMilli(now + firingValidityMs).toString());
        json.writeEndObject();
    }

    String generatorUrl(Map<String, String> labels) {
        String url = generatorUrlTemplate;
        for (String name : new String[] {"job_id", "job_name", "cluster", "alertname"}) {
            url =
                    url.replace(
                            "{" + name + "}",
                            java.net.URLEncoder.encode(
                                    labels.getOrDefault(name, ""),
                                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return url;
    }

    private static String evidence(AlertEvent event) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(event.evidence().values())
                .forEach((name, value) -> append(text, name, format(value)));
        new TreeMap<>(event.evidence().facts()).forEach((name, value) -> append(text, name, value));
        return text.toString();
    }

    private static String inhibitors(AlertEvent event) {
        StringBuilder text = new StringBuilder();
        for (InhibitingAlert inhibitor : event.inhibitedBy()) {
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(inhibitor.alertname())
                    .append(" (")
                    .append(inhibitor.fingerprint())
                    .append(')');
        }
        return text.toString();
    }

    private static void append(StringBuilder text, String name, String value) {
        if (!text.isEmpty()) {
            text.append(", ");
        }
        text.append(name).append('=').append(value);
    }

    private static String format(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return "NaN";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString(value.longValue())
                : String.format(java.util.Locale.ROOT, "%.4g", value);
    }
}

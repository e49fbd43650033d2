package io.flinkwatch.alerts.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of {@link AlertEvent} (version {@value #VERSION}), as described in {@code
 * docs/alert-format.md}. Times are RFC 3339 strings in UTC, as Alertmanager uses them; maps are
 * written in key order so that equal events are equal bytes.
 */
public final class AlertJson {

    public static final int VERSION = 1;

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {}

    public static byte[] toJson(AlertEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("version", VERSION);
            json.writeStringField("status", event.status().name());
            json.writeStringField("reason", event.reason().name());
            json.writeStringField("alertname", event.alertname());
            json.writeStringField("severity", event.severity().label());
            json.writeStringField("startsAt", Instant.ofEpochMilli(event.startsAt()).toString());
            if (event.endsAt() == null) {
                json.writeNullField("endsAt");
            } else {
                json.writeStringField("endsAt", Instant.ofEpochMilli(event.endsAt()).toString());
            }
            json.writeStringField("updatedAt", Instant.ofEpochMilli(event.updatedAt()).toString());
            json.writeStringField("fingerprint", event.fingerprint());
            json.writeStringField("groupKey", event.groupKey());
            json.writeArrayFieldStart("inhibitedBy");
            for (InhibitingAlert inhibitor : event.inhibitedBy()) {
                json.writeStartObject();
                json.writeStringField("alertname", inhibitor.alertname());
                json.writeStringField("fingerprint", inhibitor.fingerprint());
                json.writeEndObject();
            }
            json.writeEndArray();
            writeStrings(json, "labels", event.labels());
            writeStrings(json, "annotations", event.annotations());
            json.writeObjectFieldStart("evidence");
            json.writeObjectFieldStart("values");
            for (Map.Entry<String, Double> value :
                    new TreeMap<>(event.evidence().values()).entrySet()) {
                writeNumber(json, value.getKey(), value.getValue());
            }
            json.writeEndObject();
            writeStrings(json, "facts", event.evidence().facts());
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing an alert to memory failed", e);
        }
        return out.toByteArray();
    }

    public static AlertEvent fromJson(byte[] bytes) throws IOException {
        JsonNode node = MAPPER.readTree(bytes);
        int version = node.required("version").asInt();
        if (version != VERSION) {
            throw new IOException("alert format version " + version + " is not supported");
        }
        JsonNode endsAt = node.get("endsAt");
        JsonNode evidence = node.required("evidence");
        Map<String, Double> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = evidence.required("values").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> value = it.next();
            values.put(value.getKey(), value.getValue().asDouble());
        }
        return new AlertEvent(
                node.required("alertname").asText(),
                Severity.fromLabel(node.required("severity").asText()),
                AlertStatus.valueOf(node.required("status").asText()),
                strings(node.required("labels")),
                strings(node.required("annotations")),
                Instant.parse(node.required("startsAt").asText()).toEpochMilli(),
                endsAt == null || endsAt.isNull()
                        ? null
                        : Instant.parse(endsAt.asText()).toEpochMilli(),
                node.required("fingerprint").asText(),
                node.required("groupKey").asText(),
                new Evidence(values, strings(evidence.required("facts"))),
                AlertReason.valueOf(node.required("reason").asText()),
                Instant.parse(node.required("updatedAt").asText()).toEpochMilli(),
                inhibitors(node.required("inhibitedBy")));
    }

    private static void writeStrings(JsonGenerator json, String field, Map<String, String> map)
            throws IOException {
        json.writeObjectFieldStart(field);
        for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
            json.writeStringField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
    }

    private static void writeNumber(JsonGenerator json, String name, double value)
            throws IOException {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.writeNumberField(name, (long) value);
        } else if (Double.isFinite(value)) {
            json.writeNumberField(name, value);
        } else {
            json.writeNullField(name);
        }
    }

    private static List<InhibitingAlert> inhibitors(JsonNode array) {
        List<InhibitingAlert> inhibitors = new ArrayList<>();
        for (JsonNode inhibitor : array) {
            inhibitors.add(
                    new InhibitingAlert(
                            inhibitor.required("alertname").asText(),
                            inhibitor.required("fingerprint").asText()));
        }
        return inhibitors;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            map.put(entry.getKey(), entry.getValue().asText());
        }
        return map;
    }
}

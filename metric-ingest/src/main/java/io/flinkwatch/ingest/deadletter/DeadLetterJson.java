package io.flinkwatch.ingest.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The JSON form of a dead letter on the dead-letter topic.
 *
 * <pre>{@code
 * {"reason": "INVALID_FIELD", "message": "metrics.uptime must be a number or a boolean, got a string",
 *  "source": {"topic": "flink-metrics", "partition": 0, "offset": 42, "timestamp": 1764000000000},
 *  "rawSize": 181, "rawTruncated": false, "rawBase64": "eyJ2ZXJzaW9uIjox...", "rawText": "{\"version\":1..."}
 * }</pre>
 *
 * {@code rawText} is present only when the bytes are valid UTF-8; {@code rawBase64} always is.
 */
public final class DeadLetterJson {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterJson() {}

    public static byte[] toJson(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + letter.raw().length * 2);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("reason", letter.reason().name());
            json.writeStringField("message", letter.message());
            json.writeObjectFieldStart("source");
            json.writeStringField("topic", letter.topic());
            json.writeNumberField("partition", letter.partition());
            json.writeNumberField("offset", letter.offset());
            json.writeNumberField("timestamp", letter.recordTimestamp());
            json.writeEndObject();
            json.writeNumberField("rawSize", letter.rawSize());
            json.writeBooleanField("rawTruncated", letter.truncated());
            json.writeStringField("rawBase64", Base64.getEncoder().encodeToString(letter.raw()));
            String text = utf8OrNull(letter.raw());
            if (text != null) {
                json.writeStringField("rawText", text);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a dead letter to memory failed", e);
        }
        return out.toByteArray();
    }

    /** Reads a dead letter back from its JSON form (for consumers and tests). */
    public static DeadLetter fromJson(byte[] bytes) throws IOException {
        JsonNode node = MAPPER.readTree(bytes);
        JsonNode source = node.required("source");
        return new DeadLetter(
                RejectionReason.valueOf(node.required("reason").asText()),
                node.required("message").asText(),
                source.required("topic").asText(),
                source.required("partition").asInt(),
                source.required("offset").asLong(),
                source.required("timestamp").asLong(),
                Base64.getDecoder().decode(node.required("rawBase64").asText()),
                node.required("rawSize").asInt());
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

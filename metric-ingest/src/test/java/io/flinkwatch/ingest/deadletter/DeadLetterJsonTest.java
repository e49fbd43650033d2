package io.flinkwatch.ingest.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.ingest.snapshot.RejectionReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void keepsReasonCoordinatesAndTheExactBytes() throws Exception {
        byte[] raw = "{\"version\": 1, oops".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter =
                DeadLetter.of(
                        RejectionReason.MALFORMED_JSON,
                        "not valid JSON",
                        "metrics",
                        3,
                        42L,
                        1000L,
                        raw);

        byte[] json = DeadLetterJson.toJson(letter);

        assertThat(DeadLetterJson.fromJson(json)).isEqualTo(letter);
        JsonNode node = MAPPER.readTree(json);
        assertThat(node.get("reason").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(node.get("source").get("partition").asInt()).isEqualTo(3);
        assertThat(node.get("source").get("offset").asLong()).isEqualTo(42L);
        assertThat(node.get("rawText").asText()).isEqualTo("{\"version\": 1, oops");
        assertThat(node.get("rawTruncated").asBoolean()).isFalse();
    }

    @Test
    void bytesThatAreNotUtf8AreKeptInBase64Only() throws Exception {
        byte[] raw = {(byte) 0xC3, (byte) 0x28, 0, 1};
        DeadLetter letter = DeadLetter.of(RejectionReason.MALFORMED_JSON, "m", "t", 0, 0, 0, raw);

        JsonNode node = MAPPER.readTree(DeadLetterJson.toJson(letter));

        assertThat(node.has("rawText")).isFalse();
        assertThat(DeadLetterJson.fromJson(DeadLetterJson.toJson(letter)).raw()).isEqualTo(raw);
    }

    @Test
    void hugeRecordsAreCutButTheirSizeAndPlaceAreKept() {
        byte[] raw = new byte[DeadLetter.MAX_RAW_BYTES + 10];
        Arrays.fill(raw, (byte) 'x');
        DeadLetter letter = DeadLetter.of(RejectionReason.TOO_LARGE, "m", "t", 1, 7, 0, raw);

        assertThat(letter.raw()).hasSize(DeadLetter.MAX_RAW_BYTES);
        assertThat(letter.rawSize()).isEqualTo(raw.length);
        assertThat(letter.truncated()).isTrue();
    }
}

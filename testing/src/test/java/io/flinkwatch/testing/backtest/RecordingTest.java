package io.flinkwatch.testing.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingTest {

    @TempDir Path dir;

    @Test
    void recordsComeBackByteForByteOnePerLinePlainOrCompressed() throws Exception {
        byte[] pretty =
                "{\n  \"version\": 1,\r\n  \"cluster\": \"prod-ü\"\n}"
                        .getBytes(StandardCharsets.UTF_8);
        // Not UTF-8 (a lone continuation byte): the job must see it as invalid as it was.
        byte[] broken = {'{', '"', 'a', '"', ':', '"', (byte) 0x80, '"', '}'};
        for (String name : List.of("r.jsonl", "r.jsonl.gz")) {
            Path file = dir.resolve(name);
            try (Recording.Writer writer = new Recording.Writer(file)) {
                writer.write(pretty);
                writer.write(broken);
                writer.write("   ".getBytes(StandardCharsets.UTF_8));
            }
            List<byte[]> lines = new ArrayList<>();

            long count = new Recording(file).forEachLine(lines::add);

            assertThat(count).isEqualTo(2);
            assertThat(new String(lines.get(0), StandardCharsets.UTF_8))
                    .isEqualTo("{   \"version\": 1,    \"cluster\": \"prod-ü\" }");
            assertThat(lines.get(1)).isEqualTo(broken);
        }
        assertThat(Files.size(dir.resolve("r.jsonl.gz")))
                .isNotEqualTo(Files.size(dir.resolve("r.jsonl")));
    }

    @Test
    void aFileWithWindowsLineBreaksAndNoFinalBreakReadsTheSame() throws Exception {
        Path file = dir.resolve("crlf.jsonl");
        Files.writeString(file, "{\"a\":1}\r\n\r\n{\"b\":2}", StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();

        new Recording(file)
                .forEachLine(line -> lines.add(new String(line, StandardCharsets.UTF_8)));

        assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
    }
}

package io.flinkwatch.testing.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacktestCommandTest {

    @Test
    void compareSplitsLikeAShellKeepingQuotedBlanks() {
        List<String> words =
                BacktestCommand.split(
                        "--rule.lag-growing.for 3m --lifecycle.inhibit-rules"
                                + " 'FlinkJobNotRunning -> FlinkLag.* on cluster,job_name'");

        assertThat(words)
                .containsExactly(
                        "--rule.lag-growing.for",
                        "3m",
                        "--lifecycle.inhibit-rules",
                        "FlinkJobNotRunning -> FlinkLag.* on cluster,job_name");
        assertThat(BacktestCommand.pairs(words))
                .containsEntry("rule.lag-growing.for", "3m")
                .containsEntry(
                        "lifecycle.inhibit-rules",
                        "FlinkJobNotRunning -> FlinkLag.* on cluster,job_name");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> BacktestCommand.split("--a 'b"))
                .hasMessageContaining("unbalanced quote");
        assertThatThrownBy(() -> BacktestCommand.split("  "))
                .hasMessageContaining("--compare needs job parameters");
        assertThatThrownBy(() -> BacktestCommand.pairs(List.of("--a", "1", "--a", "2")))
                .hasMessageContaining("--a is given twice");
        assertThatThrownBy(() -> BacktestCommand.pairs(List.of("stray")))
                .hasMessageContaining("Unexpected argument 'stray'");
        assertThatThrownBy(() -> BacktestCommand.run(new String[] {"replay", "--from", "x"}))
                .hasMessageContaining("Unknown command 'replay'");
        assertThatThrownBy(
                        () ->
                                BacktestCommand.run(
                                        new String[] {"backtest", "--from", "/nonexistent.jsonl"}))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> BacktestCommand.run(new String[] {"record", "--out", "x.jsonl"}))
                .hasMessageContaining("--source.bootstrap-servers is required");
    }

    @Test
    void aJobParameterTheJobWouldRefuseStopsTheBacktestBeforeAnythingStarts() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("recording-", ".jsonl");
        try {
            assertThatThrownBy(
                            () ->
                                    BacktestCommand.run(
                                            new String[] {
                                                "backtest",
                                                "--from",
                                                file.toString(),
                                                "--rule.lag-growing.for",
                                                "soon"
                                            }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rule.lag-growing.for")
                    .hasMessageContaining("soon");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void positionsAreEarliestLatestAnInstantOrOffsets() {
        assertThat(TopicRange.Position.parse("--source.start", "earliest").kind())
                .isEqualTo(TopicRange.Position.Kind.EARLIEST);
        assertThat(TopicRange.Position.parse("--source.end", "LATEST").kind())
                .isEqualTo(TopicRange.Position.Kind.LATEST);
        TopicRange.Position time =
                TopicRange.Position.parse("--source.start", "2026-01-05T00:00:00Z");
        assertThat(time.time()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        assertThat(TopicRange.Position.parse("--source.start", "1200").offsets())
                .isEqualTo(Map.of(-1, 1200L));
        assertThat(TopicRange.Position.parse("--source.start", "0:1200, 1:1180").offsets())
                .isEqualTo(Map.of(0, 1200L, 1, 1180L));
        assertThatThrownBy(() -> TopicRange.Position.parse("--source.end", "yesterday"))
                .hasMessageContaining("Invalid value 'yesterday' of --source.end");
    }
}

package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.min;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.backtest.SeriesExtractor.Point;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesExtractorTest {

    @TempDir Path dir;

    private static MetricSnapshot task(
            String job, double minute, int subtask, double busy, double out) {
        return new MetricSnapshot(
                min(minute),
                "prod",
                JobRef.of("id-" + job, job),
                Scope.task("v-sink", "Sink: out", subtask, 0),
                Map.of("busyTimeMsPerSecond", busy, "numRecordsOutPerSecond", out),
                null);
    }

    /** Two jobs, two subtasks, every 30 s for 5 minutes, plus a line that is no snapshot. */
    private Recording recording(String name) throws Exception {
        Path file = dir.resolve(name);
        try (Recording.Writer writer = new Recording.Writer(file)) {
            for (int step = 0; step < 10; step++) {
                double minute = step * 0.5;
                for (String job : List.of("orders", "payments")) {
                    for (int subtask = 0; subtask < 2; subtask++) {
                        // busy = 100 × step + subtask; records out = 10 per subtask.
                        writer.write(
                                SnapshotWriter.toJson(
                                        task(job, minute, subtask, 100 * step + subtask, 10)));
                    }
                }
            }
            writer.write("{not json".getBytes(StandardCharsets.UTF_8));
        }
        return new Recording(file);
    }

    @Test
    void readsOneSubtasksSeriesWithinTheWindow() throws Exception {
        Recording recording = recording("r.jsonl.gz");
        Episode episode =
                Events.episode(
                        "FlinkHighBackpressure",
                        Map.of("task_name", "Sink: out", "subtask_index", "1"),
                        Evidence.builder().value("busyThreshold", 900).build());
        SeriesSpec spec = SeriesCatalog.of(episode, FlinkwatchConfig.defaults());
        SeriesExtractor.Request request =
                new SeriesExtractor.Request(episode, spec, min(1), min(3));

        List<Point> points =
                SeriesExtractor.extract(
                                recording, SnapshotParser.withDefaults(), List.of(request), 15_000)
                        .get(request);

        // Steps 2..6 (1m to 3m) of job orders, subtask 1: busy = 100 × step + 1.
        assertThat(points)
                .extracting(Point::value)
                .containsExactly(201.0, 301.0, 401.0, 501.0, 601.0);
        assertThat(points.get(0).time()).isEqualTo(min(1));
        assertThat(spec.references())
                .containsExactly(new SeriesSpec.Reference("busy threshold", 900));
        assertThat(recording.forEachLine(line -> {})).as("gzip round trip").isEqualTo(41);
    }

    @Test
    void aVertexRateSumsItsSubtasks() throws Exception {
        Recording recording = recording("r.jsonl");
        Episode episode =
                Events.episode(
                        "FlinkThroughputDrop",
                        Map.of("task_name", "Sink: out"),
                        Evidence.builder()
                                .value("baselineRecordsPerSecond", 40)
                                .fact("metric", "numRecordsOutPerSecond")
                                .build());
        SeriesSpec spec = SeriesCatalog.of(episode, FlinkwatchConfig.defaults());
        SeriesExtractor.Request request =
                new SeriesExtractor.Request(episode, spec, min(0), min(5));

        List<Point> points =
                SeriesExtractor.extract(
                                recording, SnapshotParser.withDefaults(), List.of(request), 15_000)
                        .get(request);

        // Two subtasks of 10 records/s: 20 per 15 s bucket, one bucket per 30 s step.
        assertThat(points).hasSize(10).allSatisfy(p -> assertThat(p.value()).isEqualTo(20.0));
        // Baseline 40, and the default ratio 0.5 of it.
        assertThat(spec.references())
                .extracting(SeriesSpec.Reference::value)
                .containsExactly(40.0, 20.0);
    }

    @Test
    void anAlertWithoutAMetricIsShownBySnapshotsPerMinute() throws Exception {
        Recording recording = recording("r.jsonl");
        Episode episode = Events.episode("FlinkMetricsAbsent", Map.of(), Evidence.none());
        SeriesSpec spec = SeriesCatalog.of(episode, FlinkwatchConfig.defaults());
        SeriesExtractor.Request request =
                new SeriesExtractor.Request(episode, spec, min(0), min(5));

        List<Point> points =
                SeriesExtractor.extract(
                                recording, SnapshotParser.withDefaults(), List.of(request), 15_000)
                        .get(request);

        // Two steps a minute, two subtasks each: 4 snapshots of job orders per minute.
        assertThat(points).hasSize(5).allSatisfy(p -> assertThat(p.value()).isEqualTo(4.0));
    }
}

package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.Rule;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backtest: replays a recording through the real pipeline with the given job parameters (and, to
 * compare, with other ones), rebuilds the episodes, reads the series behind the top N of them from
 * the recording and writes the HTML report.
 */
public final class Backtest {

    private static final Logger LOG = LoggerFactory.getLogger(Backtest.class);

    /**
     * What to run.
     *
     * @param recording the snapshots to replay
     * @param input the input in words, for the report
     * @param parameters job parameters (names without {@code --})
     * @param compare other job parameters to compare with, or null
     * @param top how many episodes get a plot
     * @param partitions partitions of the replay topic (0: as many as source subtasks)
     * @param report where the report goes
     */
    public record Options(
            Recording recording,
            String input,
            Map<String, String> parameters,
            @Nullable Map<String, String> compare,
            int top,
            int partitions,
            Path report) {}

    /** What a backtest found: the runs, their episodes, and the report file. */
    public record Outcome(
            PipelineReplay.Result baseline,
            List<Episode> episodes,
            @Nullable PipelineReplay.Result variant,
            @Nullable List<Episode> variantEpisodes,
            @Nullable List<Comparison.Change> changes,
            int plotted,
            Path report) {}

    private Backtest() {}

    public static Outcome run(Options options) throws Exception {
        long started = System.nanoTime();
        // Fails here, before any broker starts, on a parameter the job would refuse.
        FlinkwatchConfig given =
                FlinkwatchConfig.fromMap(PipelineReplay.used(options.parameters()));
        if (options.compare() != null) {
            Map<String, String> merged = new HashMap<>(options.parameters());
            merged.putAll(options.compare());
            FlinkwatchConfig.fromMap(PipelineReplay.used(merged));
        }
        SnapshotParser parser =
                new SnapshotParser(
                        new SnapshotLimits(
                                given.get(FlinkwatchParameters.MAX_SNAPSHOT_BYTES),
                                given.get(FlinkwatchParameters.MAX_FUTURE_SKEW)),
                        Clock.systemUTC());
        int parallelism = given.get(FlinkwatchParameters.PARALLELISM);
        int partitions =
                options.partitions() > 0
                        ? options.partitions()
                        : parallelism > 0
                                ? parallelism
                                : Runtime.getRuntime().availableProcessors();
        try (PipelineReplay replay = PipelineReplay.load(options.recording(), partitions, parser)) {
            PipelineReplay.RecordingStats stats = replay.stats();
            if (stats.validSnapshots() == 0) {
                throw new IllegalArgumentException(
                        "The recording "
                                + options.recording().file()
                                + " holds no valid snapshot.");
            }
            PipelineReplay.Result baseline = replay.run(options.parameters(), "given parameters");
            List<Episode> episodes = Episodes.of(baseline.events(), sustainFor(baseline.config()));
            PipelineReplay.Result variant = null;
            List<Episode> variantEpisodes = null;
            List<Comparison.Change> changes = null;
            if (options.compare() != null) {
                Map<String, String> merged = new HashMap<>(options.parameters());
                merged.putAll(options.compare());
                variant = replay.run(merged, "compared parameters");
                variantEpisodes = Episodes.of(variant.events(), sustainFor(variant.config()));
                changes = Comparison.compare(episodes, variantEpisodes, stats.newest());
                LOG.info(
                        "The compared parameters change {} of {} episodes",
                        Comparison.changed(changes),
                        changes.size());
            }

            List<Episode> candidates = new ArrayList<>(episodes);
            if (variantEpisodes != null) {
                // Added episodes are part of the question: plot them too, within the top N.
                changes.stream()
                        .filter(c -> c.kind() == Comparison.Kind.ADDED)
                        .forEach(c -> candidates.add(c.variant()));
            }
            java.util.Set<Episode> changed =
                    java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            if (changes != null) {
                for (Comparison.Change change : changes) {
                    if (change.kind() != Comparison.Kind.SAME) {
                        changed.add(change.episode());
                    }
                }
            }
            List<Episode> ranked = top(candidates, changed, stats.newest());
            List<Episode> top = ranked.subList(0, Math.min(options.top(), ranked.size()));
            LOG.info(
                    "{} episodes; reading the series behind the top {} from the recording",
                    episodes.size(),
                    top.size());
            List<SeriesExtractor.Request> requests = new ArrayList<>();
            java.util.Set<Episode> givenEpisodes =
                    java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            givenEpisodes.addAll(episodes);
            for (Episode episode : top) {
                boolean added = !givenEpisodes.contains(episode);
                requests.add(request(episode, added ? variant.config() : baseline.config(), stats));
            }
            Map<SeriesExtractor.Request, List<SeriesExtractor.Point>> series =
                    SeriesExtractor.extract(
                            options.recording(),
                            parser,
                            requests,
                            baseline.config()
                                    .get(FlinkwatchParameters.EVALUATION_INTERVAL)
                                    .toMillis());
            List<HtmlReport.Plot> plots = new ArrayList<>();
            for (SeriesExtractor.Request request : requests) {
                plots.add(
                        new HtmlReport.Plot(
                                request.episode(),
                                request.spec(),
                                series.get(request),
                                request.from(),
                                request.to()));
            }
            // Episodes only the compared run has are listed with the others, in time order.
            List<Episode> all = new ArrayList<>(episodes);
            if (changes != null) {
                changes.stream()
                        .filter(c -> c.kind() == Comparison.Kind.ADDED)
                        .forEach(c -> all.add(c.variant()));
                all.sort(Comparator.comparingLong(Episode::startsAt));
            }
            String html =
                    HtmlReport.render(
                            new HtmlReport.Content(
                                    options.input(),
                                    stats,
                                    baseline,
                                    all,
                                    plots,
                                    variant,
                                    options.compare(),
                                    variantEpisodes,
                                    changes,
                                    Duration.ofNanos(System.nanoTime() - started)));
            write(options.report(), html);
            LOG.info(
                    "Report written to {} ({} KiB)",
                    options.report(),
                    html.getBytes(StandardCharsets.UTF_8).length / 1024);
            return new Outcome(
                    baseline,
                    episodes,
                    variant,
                    variantEpisodes,
                    changes,
                    plots.size(),
                    options.report());
        }
    }

    /**
     * The order in which episodes get plots: with {@code --compare} the question is what changes,
     * so {@code changed} episodes come first; within that, alert names take turns (one episode of
     * each name, then the next of each), so that one noisy alert cannot take every plot; each
     * name's episodes in {@link #rank} order.
     */
    static List<Episode> top(List<Episode> episodes, java.util.Set<Episode> changed, long end) {
        List<Episode> first = new ArrayList<>();
        List<Episode> rest = new ArrayList<>();
        for (Episode episode : episodes) {
            (changed.contains(episode) ? first : rest).add(episode);
        }
        List<Episode> order = new ArrayList<>(interleave(first, end));
        order.addAll(interleave(rest, end));
        return order;
    }

    private static List<Episode> interleave(List<Episode> episodes, long end) {
        Comparator<Episode> rank = rank(end);
        Map<String, List<Episode>> byName = new java.util.TreeMap<>();
        for (Episode episode : episodes) {
            byName.computeIfAbsent(episode.alertname(), k -> new ArrayList<>()).add(episode);
        }
        byName.values().forEach(list -> list.sort(rank));
        List<Episode> order = new ArrayList<>();
        for (int round = 0; order.size() < episodes.size(); round++) {
            List<Episode> turn = new ArrayList<>();
            for (List<Episode> list : byName.values()) {
                if (round < list.size()) {
                    turn.add(list.get(round));
                }
            }
            turn.sort(rank);
            order.addAll(turn);
        }
        return order;
    }

    /** Critical before warning, then the longest firing, then the earliest. */
    static Comparator<Episode> rank(long recordingEnd) {
        return Comparator.comparing((Episode e) -> e.severity() != Severity.CRITICAL)
                .thenComparing(e -> -e.firing(recordingEnd).length())
                .thenComparingLong(Episode::startsAt)
                .thenComparing(Episode::fingerprint);
    }

    /** The plot window: the episode with a margin, within the recording. */
    static SeriesExtractor.Request request(
            Episode episode, FlinkwatchConfig config, PipelineReplay.RecordingStats stats) {
        SeriesSpec spec = SeriesCatalog.of(episode, config);
        long start = Math.min(episode.pendingFrom(), episode.startsAt());
        if (spec.trend() != null) {
            start = Math.min(start, spec.trend().at() - spec.trend().rangeMs());
        }
        long end = episode.firing(stats.newest()).to();
        if (episode.resolvedAt() != null) {
            end = Math.max(end, episode.resolvedAt());
        }
        long pad = Math.max(Duration.ofMinutes(5).toMillis(), (end - start) / 4);
        long from = Math.max(stats.oldest(), start - pad);
        long to = Math.min(stats.newest(), end + pad);
        return new SeriesExtractor.Request(episode, spec, from, Math.max(to, from + 60_000));
    }

    private static Function<String, Duration> sustainFor(FlinkwatchConfig config) {
        Map<String, Duration> byName = new HashMap<>();
        for (Rule rule : AlertCatalog.from(config).rules()) {
            byName.put(rule.name(), rule.sustainFor());
        }
        // Absence has no for: it fires once the job has been silent this long.
        byName.put(MetricsAbsent.NAME, config.get(FlinkwatchParameters.METRICS_ABSENT_AFTER));
        return name -> byName.getOrDefault(name, Duration.ZERO);
    }

    private static void write(Path report, String html) throws IOException {
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(report, html, StandardCharsets.UTF_8);
    }
}

package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.event;
import static io.flinkwatch.testing.backtest.Events.min;
import static io.flinkwatch.testing.backtest.Events.resolved;
import static io.flinkwatch.testing.backtest.Events.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.testing.backtest.SeriesExtractor.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    private static final List<AlertEvent> EVENTS =
            List.of(
                    started("a", 20),
                    event("a", "FlinkHighBackpressure", AlertReason.SUPPRESSED, 20, null, 30, true),
                    resolved("a", 20, 40, 45),
                    started("b", 50));

    private static String render(int plotted) {
        List<Episode> episodes = Episodes.of(EVENTS, name -> Duration.ofMinutes(10));
        List<HtmlReport.Plot> plots = new ArrayList<>();
        for (Episode episode : episodes.subList(0, plotted)) {
            List<Point> points = new ArrayList<>();
            for (int m = 0; m <= 60; m++) {
                points.add(new Point(min(m), 900 + m));
            }
            plots.add(
                    new HtmlReport.Plot(
                            episode,
                            SeriesCatalog.of(episode, FlinkwatchConfig.defaults()),
                            points,
                            min(0),
                            min(60)));
        }
        PipelineReplay.Result result =
                new PipelineReplay.Result(
                        FlinkwatchConfig.defaults(),
                        Map.of("rule.high-backpressure.for", "10m"),
                        EVENTS,
                        1,
                        Duration.ofSeconds(3));
        return HtmlReport.render(
                new HtmlReport.Content(
                        "rec<ording>.jsonl",
                        new PipelineReplay.RecordingStats(100, 99, min(0), min(60)),
                        result,
                        episodes,
                        plots,
                        null,
                        null,
                        null,
                        null,
                        Duration.ofSeconds(5)));
    }

    @Test
    void everythingIsInlineAndNothingIsFetched() {
        String html = render(2);

        assertThat(html).doesNotContainPattern("(?i)<(link|img|iframe|object|embed)\\b");
        assertThat(html).doesNotContainPattern("(?i)\\bsrc\\s*=");
        assertThat(html).doesNotContainPattern("(?i)url\\((?!#)");
        // The only absolute URL is the SVG namespace, which is a name, never loaded.
        Matcher urls = Pattern.compile("https?://[^\"'\\s)]+").matcher(html);
        while (urls.find()) {
            assertThat(urls.group()).isEqualTo("http://www.w3.org/2000/svg");
        }
    }

    @Test
    void labelsAndEvidenceAreEscaped() {
        String html = render(2);

        assertThat(html).contains("Sink: &lt;out&gt;").contains("&lt;sink&gt;");
        assertThat(html).contains("rec&lt;ording&gt;.jsonl");
        assertThat(html).doesNotContain("<b>busy</b>").doesNotContain("<out>");
    }

    @Test
    void summaryCountsEpisodesEventsAndTheSuppressedShare() {
        String html = render(2);

        // Episode a fired 20m–40m, suppressed from 30m: 10 of 20 minutes. Episode b fires from
        // 50m to the recording's end at 60m, never suppressed: 10 of 30 minutes in all.
        assertThat(html)
                .contains(
                        "data-alertname=\"FlinkHighBackpressure\" data-severity=\"critical\""
                                + " data-episodes=\"2\" data-started=\"2\" data-resolved=\"1\""
                                + " data-events=\"4\"")
                .contains(
                        "<td class=\"n\">30m</td><td class=\"n\">33 %</td><td class=\"n\">1</td>");
    }

    @Test
    void plottedEpisodesGetAPlotAndTheRestARow() {
        String all = render(2);
        assertThat(count(all, "<svg class=\"plot\"")).isEqualTo(2);
        assertThat(count(all, "class=\"unplotted\"")).isZero();
        assertThat(all).contains("class=\"span suppressed\"").contains("class=\"span pending\"");

        String one = render(1);
        assertThat(count(one, "<svg class=\"plot\"")).isEqualTo(1);
        assertThat(count(one, "<tr class=\"unplotted\"")).isEqualTo(1);
        assertThat(one).contains("1 more episodes (not plotted");
    }

    @Test
    void theComparisonListsWhatChangesAndPlotsTheComparedFiring() {
        List<Episode> given = Episodes.of(EVENTS, name -> Duration.ofMinutes(10));
        // With other parameters: a fires 5 minutes earlier, b not at all, c is new.
        List<AlertEvent> otherEvents =
                List.of(started("a", 15), resolved("a", 15, 40, 45), started("c", 55));
        List<Episode> other = Episodes.of(otherEvents, name -> Duration.ofMinutes(5));
        List<Comparison.Change> changes = Comparison.compare(given, other, min(60));
        List<Episode> all = new ArrayList<>(given);
        all.add(other.get(1));
        List<HtmlReport.Plot> plots = new ArrayList<>();
        for (Episode episode : all) {
            plots.add(
                    new HtmlReport.Plot(
                            episode,
                            SeriesCatalog.of(episode, FlinkwatchConfig.defaults()),
                            List.of(new Point(min(10), 1), new Point(min(50), 2)),
                            min(0),
                            min(60)));
        }
        PipelineReplay.RecordingStats stats =
                new PipelineReplay.RecordingStats(100, 100, min(0), min(60));
        String html =
                HtmlReport.render(
                        new HtmlReport.Content(
                                "r.jsonl",
                                stats,
                                new PipelineReplay.Result(
                                        FlinkwatchConfig.defaults(),
                                        Map.of(),
                                        EVENTS,
                                        0,
                                        Duration.ZERO),
                                all,
                                plots,
                                new PipelineReplay.Result(
                                        FlinkwatchConfig.defaults(),
                                        Map.of("rule.high-backpressure.for", "5m"),
                                        otherEvents,
                                        0,
                                        Duration.ZERO),
                                Map.of("rule.high-backpressure.for", "5m"),
                                other,
                                changes,
                                Duration.ZERO));

        assertThat(html).contains("1 episodes added, 1 removed, 1 shifted, 0 unchanged");
        assertThat(html)
                .contains(
                        "Compared with the same plus:</b> <code>--rule.high-backpressure.for 5m</code>");
        assertThat(count(html, "<tr class=\"change shifted\"")).isEqualTo(1);
        assertThat(html).contains("<td class=\"n\">−5m</td>");
        // The given run's summary does not count the added episode; the compared one does.
        assertThat(html)
                .contains("id=\"summary\"")
                .contains("data-episodes=\"2\" data-started=\"2\"")
                .contains("id=\"summary-compared\"");
        // Each plot of fingerprint a shows the compared firing span as a strip.
        assertThat(count(html, "<rect class=\"compared\"")).isGreaterThanOrEqualTo(2);
        assertThat(count(html, "<svg class=\"plot\"")).isEqualTo(3);
    }

    @Test
    void evidenceTimesAndDurationsReadAsSuch() {
        assertThat(HtmlReport.evidenceValue("lastCheckpointCompletedAt", min(12)))
                .isEqualTo("2026-01-05 00:12:00 UTC");
        assertThat(HtmlReport.evidenceValue("limitMs", 180_000)).isEqualTo("180k (3m)");
        assertThat(HtmlReport.evidenceValue("busyTimeMsPerSecond", 993.49)).isEqualTo("993");
        assertThat(HtmlReport.evidenceValue("lagSeconds", 2.5)).isEqualTo("2.5");
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }
}

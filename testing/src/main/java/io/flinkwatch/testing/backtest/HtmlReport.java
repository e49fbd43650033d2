package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Svg.esc;
import static io.flinkwatch.testing.backtest.Svg.num;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.testing.backtest.SeriesExtractor.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * The backtest report: one HTML file with everything inline (styles, a few lines of script, SVG
 * drawn here), so that it opens from disk or a mail attachment with no network access.
 */
public final class HtmlReport {

    private HtmlReport() {}

    /** An episode with its plot data. */
    public record Plot(Episode episode, SeriesSpec spec, List<Point> points, long from, long to) {}

    /**
     * Everything the report shows.
     *
     * @param input what was replayed, in words
     * @param stats what the recording holds
     * @param baseline the run with the given parameters
     * @param episodes its episodes, in time order
     * @param plots the plotted episodes (the top N), in rank order
     * @param variant the run with the compared parameters, or null
     * @param compared the parameters given to compare with (they override the given ones)
     * @param changes what the compared parameters change, or null
     * @param variantEpisodes the episodes of the compared run, or null
     */
    public record Content(
            String input,
            PipelineReplay.RecordingStats stats,
            PipelineReplay.Result baseline,
            List<Episode> episodes,
            List<Plot> plots,
            @Nullable PipelineReplay.Result variant,
            @Nullable Map<String, String> compared,
            @Nullable List<Episode> variantEpisodes,
            @Nullable List<Comparison.Change> changes,
            Duration took) {}

    public static String render(Content content) {
        long recordingEnd = content.stats().newest();
        long recordingStart = content.stats().oldest();
        Map<Episode, Integer> numbers = new IdentityHashMap<>();
        for (int i = 0; i < content.episodes().size(); i++) {
            numbers.put(content.episodes().get(i), i + 1);
        }
        Map<Episode, Boolean> plotted = new IdentityHashMap<>();
        content.episodes().forEach(e -> plotted.put(e, false));
        content.plots().forEach(p -> plotted.put(p.episode(), true));

        // Episodes only the compared run has: listed and plotted, not counted in the summary.
        java.util.Set<Episode> added = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        if (content.changes() != null) {
            content.changes().stream()
                    .filter(c -> c.kind() == Comparison.Kind.ADDED)
                    .forEach(c -> added.add(c.variant()));
        }
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Flinkwatch backtest: ")
                .append(esc(content.input()))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body>\n");
        html.append("<header><h1>Flinkwatch backtest</h1><p class=\"meta\">")
                .append(esc(content.input()))
                .append(" · ")
                .append(content.stats().records())
                .append(" records, ")
                .append(content.stats().validSnapshots())
                .append(" valid snapshots, ")
                .append(content.baseline().deadLetters())
                .append(" dead letters · event time ")
                .append(esc(Svg.time(recordingStart)))
                .append(" – ")
                .append(esc(Svg.time(recordingEnd)))
                .append(" (")
                .append(Svg.duration(recordingEnd - recordingStart))
                .append(") · replayed in ")
                .append(Svg.duration(content.took().toMillis()))
                .append("</p>");
        parameters(html, "Job parameters", content.baseline().parameters());
        if (content.compared() != null) {
            parameters(html, "Compared with the same plus", content.compared());
        }
        html.append("</header>\n");

        summary(
                html,
                "Summary",
                content.baseline().events(),
                content.episodes().stream().filter(e -> !added.contains(e)).toList(),
                recordingEnd,
                "summary");
        if (content.changes() != null) {
            compare(html, content, numbers, plotted, recordingEnd);
        }

        html.append("<section id=\"timeline\"><h2>Timeline</h2>");
        if (content.episodes().isEmpty()) {
            html.append("<p class=\"empty\">No alert fired.</p>");
        } else {
            html.append(
                            "<p class=\"hint\">One row per job; pale: pending, solid: firing (red"
                                    + " critical, amber warning), hatched: suppressed. Click a bar for its"
                                    + " plot.</p><div class=\"scroll\">")
                    .append(
                            Timeline.svg(
                                    content.episodes(),
                                    numbers,
                                    plotted,
                                    recordingStart,
                                    recordingEnd,
                                    recordingEnd))
                    .append("</div>");
        }
        html.append("</section>\n");

        html.append("<section id=\"episodes\"><h2>Episodes</h2>");
        if (!content.plots().isEmpty()) {
            html.append("<p class=\"hint\">")
                    .append(content.plots().size())
                    .append(" of ")
                    .append(content.episodes().size())
                    .append(
                            " episodes plotted ("
                                    + (content.changes() != null
                                            ? "those the comparison changes first; "
                                            : "")
                                    + "alert names take turns, each critical first, then the"
                                    + " longest firing)."
                                    + " Show <select id=\"filter\"><option value=\"\">every alert</option>");
            content.plots().stream()
                    .map(p -> p.episode().alertname())
                    .distinct()
                    .sorted()
                    .forEach(name -> html.append("<option>").append(esc(name)).append("</option>"));
            html.append("</select></p>");
        }
        Map<String, List<Episode.Span>> variantSpans = variantSpans(content, recordingEnd);
        int plotIndex = 0;
        for (Plot plot : content.plots()) {
            episode(
                    html,
                    plot,
                    numbers.get(plot.episode()),
                    "p" + plotIndex++,
                    recordingEnd,
                    variantSpans.getOrDefault(plot.episode().fingerprint(), List.of()),
                    content.variant() != null);
        }
        rest(html, content, numbers, plotted, recordingEnd);
        html.append("</section>\n");
        html.append(
                "<footer>Drawn by Flinkwatch's backtest: the real pipeline, bounded, on a"
                        + " local MiniCluster. Times are event time (UTC).</footer>");
        html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    private static void parameters(StringBuilder html, String title, Map<String, String> given) {
        html.append("<p class=\"params\"><b>").append(esc(title)).append(":</b> ");
        if (given.isEmpty()) {
            html.append("defaults");
        }
        given.forEach(
                (name, value) ->
                        html.append("<code>--")
                                .append(esc(name))
                                .append(' ')
                                .append(esc(value))
                                .append("</code> "));
        html.append("</p>");
    }

    /** Alerts by name and severity: episodes, events, time firing, suppressed share. */
    private static void summary(
            StringBuilder html,
            String title,
            List<AlertEvent> events,
            List<Episode> episodes,
            long recordingEnd,
            String id) {
        record Row(String alertname, Severity severity) {}
        Map<Row, long[]> rows =
                new TreeMap<>(Comparator.comparing(Row::severity).thenComparing(Row::alertname));
        // 0 episodes, 1 started, 2 resolved, 3 events, 4 firing ms, 5 suppressed ms, 6 open
        for (Episode episode : episodes) {
            long[] row =
                    rows.computeIfAbsent(
                            new Row(episode.alertname(), episode.severity()), r -> new long[7]);
            row[0]++;
            row[4] += episode.firing(recordingEnd).length();
            row[5] += episode.suppressedMs(recordingEnd);
            if (episode.endsAt() == null) {
                row[6]++;
            }
        }
        for (AlertEvent event : events) {
            long[] row =
                    rows.computeIfAbsent(
                            new Row(event.alertname(), event.severity()), r -> new long[7]);
            row[3]++;
            if (event.reason() == AlertReason.STARTED) {
                row[1]++;
            } else if (event.status() == AlertStatus.RESOLVED) {
                row[2]++;
            }
        }
        html.append("<section id=\"")
                .append(id)
                .append("\"><h2>")
                .append(esc(title))
                .append(
                        "</h2><table class=\"summary\"><thead><tr><th>alert</th>"
                                + "<th>severity</th><th>episodes</th><th>started</th><th>resolved</th>"
                                + "<th>events</th><th>time firing</th><th>suppressed share</th>"
                                + "<th>firing at the end</th></tr></thead><tbody>");
        long[] total = new long[7];
        rows.forEach(
                (row, v) -> {
                    for (int i = 0; i < v.length; i++) {
                        total[i] += v[i];
                    }
                    html.append("<tr class=\"summary-row\" data-alertname=\"")
                            .append(esc(row.alertname()))
                            .append("\" data-severity=\"")
                            .append(row.severity().label())
                            .append("\" data-episodes=\"")
                            .append(v[0])
                            .append("\" data-started=\"")
                            .append(v[1])
                            .append("\" data-resolved=\"")
                            .append(v[2])
                            .append("\" data-events=\"")
                            .append(v[3])
                            .append("\"><td>")
                            .append(esc(row.alertname()))
                            .append("</td><td><span class=\"sev ")
                            .append(row.severity().label())
                            .append("\">")
                            .append(row.severity().label())
                            .append("</span></td>");
                    cells(html, v);
                    html.append("</tr>");
                });
        html.append("</tbody><tfoot><tr class=\"summary-total\" data-episodes=\"")
                .append(total[0])
                .append("\" data-events=\"")
                .append(total[3])
                .append("\"><td>all</td><td></td>");
        cells(html, total);
        html.append("</tr></tfoot></table>");
        if (id.equals("summary")) {
            html.append(
                    "<p class=\"hint\">Episodes: from a FIRING (STARTED) event to its RESOLVED"
                            + " event. Time firing: startsAt to endsAt (to the recording's end while"
                            + " still firing). Suppressed share: the part of that time during which an"
                            + " inhibiting alert suppressed it.</p>");
        }
        html.append("</section>\n");
    }

    private static void cells(StringBuilder html, long[] v) {
        html.append("<td class=\"n\">")
                .append(v[0])
                .append("</td><td class=\"n\">")
                .append(v[1])
                .append("</td><td class=\"n\">")
                .append(v[2])
                .append("</td><td class=\"n\">")
                .append(v[3])
                .append("</td><td class=\"n\">")
                .append(Svg.duration(v[4]))
                .append("</td><td class=\"n\">")
                .append(v[4] == 0 ? "–" : Math.round(100.0 * v[5] / v[4]) + " %")
                .append("</td><td class=\"n\">")
                .append(v[6])
                .append("</td>");
    }

    private static Map<String, List<Episode.Span>> variantSpans(
            Content content, long recordingEnd) {
        Map<String, List<Episode.Span>> spans = new TreeMap<>();
        if (content.variantEpisodes() != null) {
            for (Episode episode : content.variantEpisodes()) {
                spans.computeIfAbsent(episode.fingerprint(), k -> new ArrayList<>())
                        .add(episode.firing(recordingEnd));
            }
        }
        return spans;
    }

    private static void episode(
            StringBuilder html,
            Plot plot,
            int number,
            String id,
            long recordingEnd,
            List<Episode.Span> other,
            boolean comparing) {
        Episode episode = plot.episode();
        Episode.Span firing = episode.firing(recordingEnd);
        html.append("<section class=\"episode\" id=\"ep-")
                .append(number)
                .append("\" data-alertname=\"")
                .append(esc(episode.alertname()))
                .append("\" data-fingerprint=\"")
                .append(esc(episode.fingerprint()))
                .append("\"><h3>#")
                .append(number)
                .append(' ')
                .append(esc(episode.alertname()))
                .append(" <span class=\"sev ")
                .append(episode.severity().label())
                .append("\">")
                .append(episode.severity().label())
                .append("</span> <span class=\"where\">")
                .append(esc(episode.jobKey() + " · " + episode.where()))
                .append("</span></h3><p class=\"times\">pending from ")
                .append(Svg.clock(episode.pendingFrom(), false))
                .append(" · firing ")
                .append(esc(Svg.time(firing.from())))
                .append(" – ")
                .append(
                        episode.endsAt() == null
                                ? "(still firing at the end)"
                                : esc(Svg.time(firing.to())))
                .append(" (")
                .append(Svg.duration(firing.length()))
                .append(")");
        if (episode.resolvedAt() != null) {
            html.append(" · RESOLVED published at ").append(Svg.clock(episode.resolvedAt(), false));
        }
        long suppressed = episode.suppressedMs(recordingEnd);
        if (suppressed > 0) {
            html.append(" · suppressed ").append(Svg.duration(suppressed));
            episode.events().stream()
                    .filter(AlertEvent::suppressed)
                    .findFirst()
                    .ifPresent(
                            e ->
                                    html.append(" by ")
                                            .append(
                                                    esc(
                                                            String.join(
                                                                    ", ",
                                                                    e.inhibitedBy().stream()
                                                                            .map(i -> i.alertname())
                                                                            .distinct()
                                                                            .toList()))));
        }
        html.append("</p>");
        if (plot.points().isEmpty()) {
            html.append("<p class=\"hint\">The recording holds no value of ")
                    .append(esc(plot.spec().title()))
                    .append(" for this episode.</p>");
        }
        html.append("<div class=\"scroll\">")
                .append(
                        EpisodePlot.svg(
                                id,
                                episode,
                                plot.spec(),
                                plot.points(),
                                plot.from(),
                                plot.to(),
                                recordingEnd,
                                other,
                                comparing))
                .append("</div>");
        String summary = episode.events().get(0).annotations().get("summary");
        if (summary != null) {
            html.append("<p class=\"annotation\">").append(esc(summary)).append("</p>");
        }
        html.append("<table class=\"evidence\"><caption>evidence at firing</caption><tbody>");
        episode.evidence().values().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        v ->
                                html.append("<tr><th>")
                                        .append(esc(v.getKey()))
                                        .append("</th><td>")
                                        .append(esc(evidenceValue(v.getKey(), v.getValue())))
                                        .append("</td></tr>"));
        episode.evidence().facts().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        f ->
                                html.append("<tr><th>")
                                        .append(esc(f.getKey()))
                                        .append("</th><td>")
                                        .append(esc(f.getValue()))
                                        .append("</td></tr>"));
        html.append("</tbody></table></section>\n");
    }

    /**
     * An evidence value for people: times ({@code ...At}, epoch milliseconds) as times, durations
     * ({@code ...Ms}) also in words.
     */
    static String evidenceValue(String key, double value) {
        if (key.endsWith("At") && value > 946_684_800_000.0) {
            return Svg.time((long) value);
        }
        if (key.endsWith("Ms") && value >= 1000) {
            return num(value) + " (" + Svg.duration((long) value) + ")";
        }
        return num(value);
    }

    private static void rest(
            StringBuilder html,
            Content content,
            Map<Episode, Integer> numbers,
            Map<Episode, Boolean> plotted,
            long recordingEnd) {
        List<Episode> rest = content.episodes().stream().filter(e -> !plotted.get(e)).toList();
        if (rest.isEmpty()) {
            return;
        }
        html.append("<h3 id=\"unplotted\">")
                .append(rest.size())
                .append(" more episodes (not plotted: raise --top to plot them)</h3>")
                .append(
                        "<table class=\"rest\"><thead><tr><th>#</th><th>alert</th><th>job</th>"
                                + "<th>where</th><th>firing from</th><th>for</th><th>suppressed</th>"
                                + "</tr></thead><tbody>");
        int shown = 0;
        for (Episode episode : rest) {
            if (shown++ == 5_000) {
                html.append("<tr><td colspan=\"7\">… and ")
                        .append(rest.size() - 5_000)
                        .append(" more, counted in the summary</td></tr>");
                break;
            }
            html.append("<tr class=\"unplotted\"><td>")
                    .append(numbers.get(episode))
                    .append("</td><td>")
                    .append(esc(episode.alertname()))
                    .append("</td><td>")
                    .append(esc(episode.jobKey()))
                    .append("</td><td>")
                    .append(esc(episode.where()))
                    .append("</td><td>")
                    .append(esc(Svg.time(episode.startsAt())))
                    .append("</td><td>")
                    .append(Svg.duration(episode.firing(recordingEnd).length()))
                    .append("</td><td>")
                    .append(Svg.duration(episode.suppressedMs(recordingEnd)))
                    .append("</td></tr>");
        }
        html.append("</tbody></table>");
    }

    private static void compare(
            StringBuilder html,
            Content content,
            Map<Episode, Integer> numbers,
            Map<Episode, Boolean> plotted,
            long recordingEnd) {
        List<Comparison.Change> changes = content.changes();
        long[] kinds = new long[Comparison.Kind.values().length];
        changes.forEach(change -> kinds[change.kind().ordinal()]++);
        html.append("<section id=\"compare\"><h2>Compared parameters</h2><p>")
                .append(kinds[Comparison.Kind.ADDED.ordinal()])
                .append(" episodes added, ")
                .append(kinds[Comparison.Kind.REMOVED.ordinal()])
                .append(" removed, ")
                .append(kinds[Comparison.Kind.SHIFTED.ordinal()])
                .append(" shifted, ")
                .append(kinds[Comparison.Kind.SAME.ordinal()])
                .append(" unchanged (")
                .append(content.variant().events().size())
                .append(" events against ")
                .append(content.baseline().events().size())
                .append(").</p>");
        summary(
                html,
                "Summary with the compared parameters",
                content.variant().events(),
                content.variantEpisodes(),
                recordingEnd,
                "summary-compared");
        html.append(
                "<table class=\"changes\"><thead><tr><th>change</th><th>#</th><th>alert</th>"
                        + "<th>job · where</th><th>firing (given)</th><th>firing (compared)</th>"
                        + "<th>start shift</th><th>end shift</th></tr></thead><tbody>");
        for (Comparison.Change change : changes) {
            if (change.kind() == Comparison.Kind.SAME) {
                continue;
            }
            Episode episode = change.episode();
            // Episodes only the compared run has are numbered too (they are listed and plotted).
            Integer number = numbers.get(episode);
            html.append("<tr class=\"change ")
                    .append(change.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .append("\"><td>")
                    .append(change.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .append("</td><td>")
                    .append(
                            number == null
                                    ? ""
                                    : Boolean.TRUE.equals(plotted.get(episode))
                                            ? "<a href=\"#ep-" + number + "\">" + number + "</a>"
                                            : number.toString())
                    .append("</td><td>")
                    .append(esc(episode.alertname()))
                    .append("</td><td>")
                    .append(esc(episode.jobKey() + " · " + episode.where()))
                    .append("</td><td>")
                    .append(span(change.baseline(), recordingEnd))
                    .append("</td><td>")
                    .append(span(change.variant(), recordingEnd))
                    .append("</td><td class=\"n\">")
                    .append(shift(change.startShiftMs(), change))
                    .append("</td><td class=\"n\">")
                    .append(shift(change.endShiftMs(recordingEnd), change))
                    .append("</td></tr>");
        }
        html.append("</tbody></table></section>\n");
    }

    private static String span(@Nullable Episode episode, long recordingEnd) {
        if (episode == null) {
            return "–";
        }
        Episode.Span firing = episode.firing(recordingEnd);
        return Svg.clock(firing.from(), false)
                + " – "
                + (episode.endsAt() == null ? "end" : Svg.clock(firing.to(), false));
    }

    private static String shift(long ms, Comparison.Change change) {
        if (change.baseline() == null || change.variant() == null) {
            return "";
        }
        if (ms == 0) {
            return "0";
        }
        return (ms > 0 ? "+" : "−") + Svg.duration(Math.abs(ms));
    }

    private static final String CSS =
            """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;
            margin:0 auto;padding:16px 24px;max-width:1220px;background:#fafafa}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:26px 0 8px;
            border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px;margin:0 0 2px}
            .meta,.params{margin:2px 0;color:#374151}.params code{background:#eef2f7;padding:1px 4px;
            border-radius:3px;margin-right:2px;font-size:12px}
            table{border-collapse:collapse;background:#fff}th,td{border:1px solid #e5e7eb;
            padding:3px 8px;text-align:left}thead th{background:#f3f4f6}td.n{text-align:right;
            font-variant-numeric:tabular-nums}tfoot td{font-weight:600}
            .sev{font-size:11px;padding:1px 6px;border-radius:8px;color:#fff;font-weight:600}
            .sev.critical{background:#dc2626}.sev.warning{background:#d97706}
            .hint{color:#6b7280;font-size:12.5px;margin:4px 0 8px}.empty{color:#6b7280}
            .episode{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:10px 12px;
            margin:12px 0}.episode .where{font-weight:400;color:#374151}.times{margin:2px 0 6px;
            color:#374151;font-size:13px}.annotation{margin:4px 0;color:#1f2937}
            table.evidence{font-size:12.5px;margin-top:4px}table.evidence caption{text-align:left;
            color:#6b7280;font-size:12px}table.evidence th{font-weight:500;background:#f9fafb}
            .scroll{overflow-x:auto}svg text{font-family:system-ui,sans-serif}
            svg .tick{font-size:11px;fill:#4b5563}svg .legend{font-size:11.5px;fill:#111827}
            svg .ref-label{font-size:11px;fill:#b91c1c}svg .job{font-size:11.5px;fill:#111827}
            tr.change.added td:first-child{color:#047857;font-weight:600}
            tr.change.removed td:first-child{color:#b91c1c;font-weight:600}
            tr.change.shifted td:first-child{color:#1d4ed8;font-weight:600}
            tr.summary-row{cursor:pointer}tr.summary-row:hover{background:#f9fafb}
            footer{margin:30px 0 10px;color:#9ca3af;font-size:12px}
            """;

    /** Filtering by alert name; nothing else depends on script. */
    private static final String SCRIPT =
            """
            (function () {
              var filter = document.getElementById('filter');
              function show(name) {
                document.querySelectorAll('section.episode').forEach(function (section) {
                  section.style.display =
                      !name || section.dataset.alertname === name ? '' : 'none';
                });
              }
              if (filter) {
                filter.addEventListener('change', function () { show(filter.value); });
              }
              document.querySelectorAll('tr.summary-row').forEach(function (row) {
                row.addEventListener('click', function () {
                  if (!filter) { return; }
                  var name = row.dataset.alertname;
                  var known = Array.prototype.some.call(filter.options, function (o) {
                    return o.value === name;
                  });
                  filter.value = known ? name : '';
                  show(filter.value);
                  document.getElementById('episodes').scrollIntoView();
                });
              });
            })();
            """;
}

package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Svg.c;
import static io.flinkwatch.testing.backtest.Svg.esc;

import io.flinkwatch.alerts.event.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timeline of all episodes, one row per monitored job: pending, firing and suppressed spans
 * over the whole recording. Overlapping episodes of a job get lanes of their own; an episode with a
 * plot links to it.
 */
final class Timeline {

    private static final int WIDTH = 1180;
    private static final int LABEL = 250;
    private static final int RIGHT = 16;
    private static final int LANE = 9;
    private static final int ROW_GAP = 8;
    private static final int TOP = 8;
    private static final int AXIS = 26;

    private Timeline() {}

    /**
     * @param numbers the number of each episode in the report (its anchor is {@code ep-N})
     * @param plotted whether each episode has a plot to link to
     */
    static String svg(
            List<Episode> episodes,
            Map<Episode, Integer> numbers,
            Map<Episode, Boolean> plotted,
            long from,
            long to,
            long recordingEnd) {
        Map<String, List<Episode>> rows = new TreeMap<>();
        for (Episode episode : episodes) {
            rows.computeIfAbsent(episode.jobKey(), k -> new ArrayList<>()).add(episode);
        }
        // Lanes first, to know the height.
        Map<String, List<List<Episode>>> lanes = new TreeMap<>();
        int height = TOP;
        for (Map.Entry<String, List<Episode>> row : rows.entrySet()) {
            List<List<Episode>> rowLanes = new ArrayList<>();
            List<Long> laneEnds = new ArrayList<>();
            for (Episode episode : row.getValue()) {
                long start = Math.min(episode.pendingFrom(), episode.startsAt());
                int lane = -1;
                for (int i = 0; i < laneEnds.size(); i++) {
                    if (laneEnds.get(i) < start) {
                        lane = i;
                        break;
                    }
                }
                if (lane < 0) {
                    rowLanes.add(new ArrayList<>());
                    laneEnds.add(Long.MIN_VALUE);
                    lane = rowLanes.size() - 1;
                }
                rowLanes.get(lane).add(episode);
                laneEnds.set(lane, episode.firing(recordingEnd).to());
            }
            lanes.put(row.getKey(), rowLanes);
            height += rowLanes.size() * LANE + ROW_GAP;
        }
        height += AXIS;
        double scale = (double) (WIDTH - LABEL - RIGHT) / Math.max(1, to - from);
        StringBuilder svg = new StringBuilder(4096 + episodes.size() * 300);
        svg.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" role=\"img\" aria-label=\"timeline of all episodes per job\">");
        svg.append(
                "<defs><pattern id=\"timeline-hatch\" width=\"4\" height=\"4\""
                        + " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect"
                        + " width=\"4\" height=\"4\" fill=\"#d1d5db\"/><line x1=\"0\" y1=\"0\" x2=\"0\""
                        + " y2=\"4\" stroke=\"#374151\" stroke-width=\"1.5\"/></pattern></defs>");
        int y = TOP;
        boolean shade = false;
        for (Map.Entry<String, List<List<Episode>>> row : lanes.entrySet()) {
            int rowHeight = row.getValue().size() * LANE;
            if (shade) {
                svg.append("<rect x=\"0\" y=\"")
                        .append(y - ROW_GAP / 2)
                        .append("\" width=\"")
                        .append(WIDTH)
                        .append("\" height=\"")
                        .append(rowHeight + ROW_GAP)
                        .append("\" fill=\"#f6f7f9\"/>");
            }
            shade = !shade;
            String label = row.getKey();
            if (label.length() > 40) {
                label = label.substring(0, 39) + "…";
            }
            svg.append("<text x=\"4\" y=\"")
                    .append(y + rowHeight / 2 + 4)
                    .append("\" class=\"job\"><title>")
                    .append(esc(row.getKey()))
                    .append("</title>")
                    .append(esc(label))
                    .append("</text>");
            int lane = 0;
            for (List<Episode> laneEpisodes : row.getValue()) {
                int laneY = y + lane * LANE;
                for (Episode episode : laneEpisodes) {
                    bar(
                            svg,
                            episode,
                            numbers.get(episode),
                            plotted.get(episode),
                            laneY,
                            from,
                            scale,
                            recordingEnd);
                }
                lane++;
            }
            y += rowHeight + ROW_GAP;
        }
        for (long tick : Svg.timeTicks(from, to, 12)) {
            double x = LABEL + (tick - from) * scale;
            svg.append("<line x1=\"")
                    .append(c(x))
                    .append("\" x2=\"")
                    .append(c(x))
                    .append("\" y1=\"")
                    .append(TOP)
                    .append("\" y2=\"")
                    .append(y)
                    .append("\" stroke=\"#e5e7eb\"/><text x=\"")
                    .append(c(x))
                    .append("\" y=\"")
                    .append(y + 14)
                    .append("\" text-anchor=\"middle\" class=\"tick\">")
                    .append(Svg.clock(tick, to - from > 20 * 3_600_000L))
                    .append("</text>");
        }
        svg.append("</svg>");
        return svg.toString();
    }

    private static void bar(
            StringBuilder svg,
            Episode episode,
            int number,
            boolean plotted,
            int y,
            long from,
            double scale,
            long recordingEnd) {
        Episode.Span firing = episode.firing(recordingEnd);
        String color = episode.severity() == Severity.CRITICAL ? "#dc2626" : "#f59e0b";
        if (plotted) {
            svg.append("<a href=\"#ep-").append(number).append("\">");
        }
        svg.append("<g class=\"bar\" data-episode=\"")
                .append(number)
                .append("\"><title>")
                .append(
                        esc(
                                "#"
                                        + number
                                        + " "
                                        + episode.alertname()
                                        + " "
                                        + episode.where()
                                        + ": firing "
                                        + Svg.clock(firing.from(), false)
                                        + " – "
                                        + Svg.clock(firing.to(), false)
                                        + " ("
                                        + Svg.duration(firing.length())
                                        + ")"))
                .append("</title>");
        double pendingX =
                LABEL + (Math.min(episode.pendingFrom(), episode.startsAt()) - from) * scale;
        double startX = LABEL + (firing.from() - from) * scale;
        double endX = LABEL + (firing.to() - from) * scale;
        if (startX > pendingX) {
            svg.append("<rect x=\"")
                    .append(c(pendingX))
                    .append("\" y=\"")
                    .append(y + 1)
                    .append("\" width=\"")
                    .append(c(startX - pendingX))
                    .append("\" height=\"")
                    .append(LANE - 2)
                    .append("\" fill=\"")
                    .append(color)
                    .append("\" fill-opacity=\"0.25\"/>");
        }
        svg.append("<rect x=\"")
                .append(c(startX))
                .append("\" y=\"")
                .append(y + 1)
                .append("\" width=\"")
                .append(c(Math.max(2, endX - startX)))
                .append("\" height=\"")
                .append(LANE - 2)
                .append("\" fill=\"")
                .append(color)
                .append("\"/>");
        for (Episode.Span suppressed : episode.suppressed()) {
            double sx = LABEL + (Math.max(suppressed.from(), firing.from()) - from) * scale;
            double ex = LABEL + (Math.min(suppressed.to(), firing.to()) - from) * scale;
            if (ex > sx) {
                svg.append("<rect x=\"")
                        .append(c(sx))
                        .append("\" y=\"")
                        .append(y + 1)
                        .append("\" width=\"")
                        .append(c(ex - sx))
                        .append("\" height=\"")
                        .append(LANE - 2)
                        .append("\" fill=\"url(#timeline-hatch)\"/>");
            }
        }
        svg.append("</g>");
        if (plotted) {
            svg.append("</a>");
        }
    }
}

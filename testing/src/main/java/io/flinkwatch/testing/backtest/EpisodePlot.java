package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Svg.c;
import static io.flinkwatch.testing.backtest.Svg.esc;
import static io.flinkwatch.testing.backtest.Svg.num;

import io.flinkwatch.testing.backtest.SeriesExtractor.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * The plot of one episode, as an inline SVG: the series behind the alert, its threshold or
 * baseline, the fitted trend, and the spans of the episode (pending, firing, resolve hold,
 * suppressed) over event time; the evidence value at firing is marked.
 */
final class EpisodePlot {

    static final int WIDTH = 920;
    static final int HEIGHT = 270;
    private static final int LEFT = 70;
    private static final int RIGHT = 18;
    private static final int TOP = 30;
    private static final int BOTTOM = 34;

    private final long from;
    private final long to;
    private final double min;
    private final double max;

    private EpisodePlot(long from, long to, double min, double max) {
        this.from = from;
        this.to = to;
        this.min = min;
        this.max = max;
    }

    /**
     * @param id unique in the report: names the plot's patterns
     * @param other the firing spans of the same alert in the compared run (empty without one)
     */
    static String svg(
            String id,
            Episode episode,
            SeriesSpec spec,
            List<Point> points,
            long from,
            long to,
            long recordingEnd,
            List<Episode.Span> other,
            boolean comparing) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Point point : points) {
            lo = Math.min(lo, point.value());
            hi = Math.max(hi, point.value());
        }
        for (SeriesSpec.Reference reference : spec.references()) {
            lo = Math.min(lo, reference.value());
            hi = Math.max(hi, reference.value());
        }
        Double marked = evidenceValue(episode, spec);
        if (marked != null) {
            lo = Math.min(lo, marked);
            hi = Math.max(hi, marked);
        }
        if (spec.trend() != null) {
            SeriesSpec.Trend trend = spec.trend();
            double start = trend.value() - trend.slopePerSecond() * trend.rangeMs() / 1000.0;
            lo = Math.min(lo, Math.min(start, trend.value()));
            hi = Math.max(hi, Math.max(start, trend.value()));
        }
        if (lo == Double.POSITIVE_INFINITY) {
            lo = 0;
            hi = 1;
        }
        if (lo >= 0 && lo < (hi - lo) * 0.3) {
            lo = 0; // Counts and rates read better from zero when it is close.
        }
        double pad = hi > lo ? (hi - lo) * 0.08 : Math.max(1, Math.abs(hi) * 0.1);
        EpisodePlot plot = new EpisodePlot(from, to, lo == 0 ? 0 : lo - pad, hi + pad);
        return plot.draw(id, episode, spec, points, recordingEnd, other, comparing, marked);
    }

    private static Double evidenceValue(Episode episode, SeriesSpec spec) {
        if (spec.evidenceKey() == null) {
            return null;
        }
        return episode.evidence().values().get(spec.evidenceKey());
    }

    private double x(long time) {
        return LEFT + (double) (time - from) / Math.max(1, to - from) * (WIDTH - LEFT - RIGHT);
    }

    private double y(double value) {
        return TOP + (max - value) / (max - min) * (HEIGHT - TOP - BOTTOM);
    }

    private String draw(
            String id,
            Episode episode,
            SeriesSpec spec,
            List<Point> points,
            long recordingEnd,
            List<Episode.Span> other,
            boolean comparing,
            Double marked) {
        StringBuilder svg = new StringBuilder(8192);
        svg.append("<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"")
                .append(esc(spec.title() + " behind " + episode.alertname()))
                .append("\">");
        svg.append("<defs><pattern id=\"hatch-")
                .append(id)
                .append(
                        "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                                + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\""
                                + " fill=\"#e5e7eb\" fill-opacity=\"0.6\"/><line x1=\"0\" y1=\"0\""
                                + " x2=\"0\" y2=\"6\" stroke=\"#4b5563\" stroke-width=\"2\"/></pattern>"
                                + "<clipPath id=\"clip-")
                .append(id)
                .append("\"><rect x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(TOP)
                .append("\" width=\"")
                .append(WIDTH - LEFT - RIGHT)
                .append("\" height=\"")
                .append(HEIGHT - TOP - BOTTOM)
                .append("\"/></clipPath></defs>");
        int plotHeight = HEIGHT - TOP - BOTTOM;
        svg.append("<rect x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(TOP)
                .append("\" width=\"")
                .append(WIDTH - LEFT - RIGHT)
                .append("\" height=\"")
                .append(plotHeight)
                .append("\" fill=\"#fff\" stroke=\"#d1d5db\"/>");

        svg.append("<g clip-path=\"url(#clip-").append(id).append(")\">");
        Episode.Span firing = episode.firing(recordingEnd);
        span(svg, "pending", episode.pendingFrom(), episode.startsAt(), "#fcd34d", 0.45, null);
        span(svg, "firing", firing.from(), firing.to(), "#f87171", 0.35, null);
        if (episode.endsAt() != null && episode.resolvedAt() != null) {
            span(svg, "resolve hold", episode.endsAt(), episode.resolvedAt(), "#fecaca", 0.5, null);
        }
        for (Episode.Span suppressed : episode.suppressed()) {
            span(
                    svg,
                    "suppressed",
                    suppressed.from(),
                    Math.min(suppressed.to(), firing.to()),
                    null,
                    1,
                    "url(#hatch-" + id + ")");
        }
        grid(svg);
        for (SeriesSpec.Reference reference : spec.references()) {
            double yy = y(reference.value());
            svg.append("<line class=\"reference\" x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(c(yy))
                    .append("\" y2=\"")
                    .append(c(yy))
                    .append(
                            "\" stroke=\"#b91c1c\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
                                    + "<title>")
                    .append(esc(reference.label() + ": " + num(reference.value())))
                    .append("</title></line>");
            svg.append("<text x=\"")
                    .append(WIDTH - RIGHT - 4)
                    .append("\" y=\"")
                    .append(c(yy - 4))
                    .append("\" text-anchor=\"end\" class=\"ref-label\">")
                    .append(esc(reference.label() + " " + num(reference.value())))
                    .append("</text>");
        }
        series(svg, points);
        if (spec.trend() != null) {
            SeriesSpec.Trend trend = spec.trend();
            long start = trend.at() - trend.rangeMs();
            double startValue = trend.value() - trend.slopePerSecond() * trend.rangeMs() / 1000.0;
            svg.append("<line class=\"trend\" x1=\"")
                    .append(c(x(start)))
                    .append("\" y1=\"")
                    .append(c(y(startValue)))
                    .append("\" x2=\"")
                    .append(c(x(trend.at())))
                    .append("\" y2=\"")
                    .append(c(y(trend.value())))
                    .append(
                            "\" stroke=\"#7c3aed\" stroke-width=\"2\" stroke-dasharray=\"3 3\">"
                                    + "<title>")
                    .append(esc("fitted slope at firing: " + num(trend.slopePerSecond()) + " /s"))
                    .append("</title></line>");
        }
        if (comparing) {
            for (Episode.Span span : other) {
                svg.append("<rect class=\"compared\" x=\"")
                        .append(c(x(span.from())))
                        .append("\" y=\"")
                        .append(HEIGHT - BOTTOM - 7)
                        .append("\" width=\"")
                        .append(c(Math.max(1.5, x(span.to()) - x(span.from()))))
                        .append("\" height=\"7\" fill=\"#2563eb\"><title>")
                        .append(
                                esc(
                                        "firing with the compared parameters: "
                                                + Svg.clock(span.from(), false)
                                                + " – "
                                                + Svg.clock(span.to(), false)))
                        .append("</title></rect>");
            }
        }
        svg.append("</g>");
        // The moment it fired, and the evidence value it fired with.
        double fx = x(episode.startsAt());
        svg.append("<line x1=\"")
                .append(c(fx))
                .append("\" x2=\"")
                .append(c(fx))
                .append("\" y1=\"")
                .append(TOP)
                .append("\" y2=\"")
                .append(HEIGHT - BOTTOM)
                .append("\" stroke=\"#991b1b\" stroke-width=\"1\"/>");
        if (marked != null) {
            svg.append("<circle class=\"evidence\" cx=\"")
                    .append(c(fx))
                    .append("\" cy=\"")
                    .append(c(y(marked)))
                    .append("\" r=\"4.5\" fill=\"#111827\" stroke=\"#fff\"><title>")
                    .append(esc(spec.evidenceKey() + " at firing: " + num(marked)))
                    .append("</title></circle>");
        }
        axes(svg, spec);
        legend(svg, episode, spec, comparing);
        svg.append("</svg>");
        return svg.toString();
    }

    private void span(
            StringBuilder svg,
            String kind,
            long start,
            long end,
            String color,
            double opacity,
            String fill) {
        if (end <= start) {
            return;
        }
        svg.append("<rect class=\"span ")
                .append(kind.replace(' ', '-'))
                .append("\" x=\"")
                .append(c(x(start)))
                .append("\" y=\"")
                .append(TOP)
                .append("\" width=\"")
                .append(c(Math.max(1, x(end) - x(start))))
                .append("\" height=\"")
                .append(HEIGHT - TOP - BOTTOM)
                .append("\" fill=\"")
                .append(fill != null ? fill : color)
                .append("\" fill-opacity=\"")
                .append(c(opacity))
                .append("\"><title>")
                .append(
                        esc(
                                kind
                                        + ": "
                                        + Svg.clock(start, false)
                                        + " – "
                                        + Svg.clock(end, false)
                                        + " ("
                                        + Svg.duration(end - start)
                                        + ")"))
                .append("</title></rect>");
    }

    private void grid(StringBuilder svg) {
        for (double tick : Svg.valueTicks(min, max, 5)) {
            double yy = y(tick);
            svg.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(c(yy))
                    .append("\" y2=\"")
                    .append(c(yy))
                    .append("\" stroke=\"#eef0f3\"/>");
        }
    }

    /** The series as a path; gaps longer than five typical steps are left open. */
    private void series(StringBuilder svg, List<Point> points) {
        List<Point> drawn = downsample(points, (WIDTH - LEFT - RIGHT) * 2);
        long typical = typicalStep(drawn);
        StringBuilder path = new StringBuilder(drawn.size() * 14);
        Point previous = null;
        for (Point point : drawn) {
            boolean gap = previous == null || point.time() - previous.time() > 5 * typical;
            path.append(gap ? 'M' : 'L')
                    .append(c(x(point.time())))
                    .append(',')
                    .append(c(y(point.value())));
            previous = point;
        }
        if (path.length() > 0) {
            svg.append("<path class=\"series\" d=\"")
                    .append(path)
                    .append(
                            "\" fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"1.6\""
                                    + " stroke-linejoin=\"round\"/>");
        }
        if (drawn.size() == 1) {
            Point only = drawn.get(0);
            svg.append("<circle cx=\"")
                    .append(c(x(only.time())))
                    .append("\" cy=\"")
                    .append(c(y(only.value())))
                    .append("\" r=\"2.5\" fill=\"#1d4ed8\"/>");
        }
    }

    private static long typicalStep(List<Point> points) {
        if (points.size() < 3) {
            return Long.MAX_VALUE / 8;
        }
        long[] steps = new long[points.size() - 1];
        for (int i = 1; i < points.size(); i++) {
            steps[i - 1] = points.get(i).time() - points.get(i - 1).time();
        }
        java.util.Arrays.sort(steps);
        return Math.max(1, steps[steps.length / 2]);
    }

    /** At most about {@code buckets} × 2 points: the first, minimum and maximum of each bucket. */
    private List<Point> downsample(List<Point> points, int buckets) {
        if (points.size() <= buckets * 2) {
            return points;
        }
        List<Point> out = new ArrayList<>();
        double width = (double) (to - from) / buckets;
        int i = 0;
        while (i < points.size()) {
            long bucket = (long) Math.floor((points.get(i).time() - from) / width);
            Point low = points.get(i);
            Point high = points.get(i);
            int j = i;
            while (j < points.size()
                    && (long) Math.floor((points.get(j).time() - from) / width) == bucket) {
                Point p = points.get(j);
                low = p.value() < low.value() ? p : low;
                high = p.value() > high.value() ? p : high;
                j++;
            }
            if (low.time() <= high.time()) {
                out.add(low);
                if (high != low) {
                    out.add(high);
                }
            } else {
                out.add(high);
                out.add(low);
            }
            i = j;
        }
        return out;
    }

    private void axes(StringBuilder svg, SeriesSpec spec) {
        boolean withDay = to - from > 20 * 3_600_000L;
        for (long tick : Svg.timeTicks(from, to, 9)) {
            double xx = x(tick);
            svg.append("<line x1=\"")
                    .append(c(xx))
                    .append("\" x2=\"")
                    .append(c(xx))
                    .append("\" y1=\"")
                    .append(HEIGHT - BOTTOM)
                    .append("\" y2=\"")
                    .append(HEIGHT - BOTTOM + 4)
                    .append("\" stroke=\"#6b7280\"/><text x=\"")
                    .append(c(xx))
                    .append("\" y=\"")
                    .append(HEIGHT - BOTTOM + 16)
                    .append("\" text-anchor=\"middle\" class=\"tick\">")
                    .append(Svg.clock(tick, withDay))
                    .append("</text>");
        }
        for (double tick : Svg.valueTicks(min, max, 5)) {
            svg.append("<text x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(c(y(tick) + 4))
                    .append("\" text-anchor=\"end\" class=\"tick\">")
                    .append(esc(num(tick)))
                    .append("</text>");
        }
        svg.append("<text x=\"12\" y=\"")
                .append((TOP + HEIGHT - BOTTOM) / 2)
                .append("\" transform=\"rotate(-90 12 ")
                .append((TOP + HEIGHT - BOTTOM) / 2)
                .append(")\" text-anchor=\"middle\" class=\"tick\">")
                .append(esc(spec.unit()))
                .append("</text>");
        svg.append("<text x=\"")
                .append(WIDTH - RIGHT)
                .append("\" y=\"")
                .append(HEIGHT - 4)
                .append("\" text-anchor=\"end\" class=\"tick\">event time (UTC)</text>");
    }

    private void legend(StringBuilder svg, Episode episode, SeriesSpec spec, boolean comparing) {
        List<String[]> items = new ArrayList<>();
        items.add(new String[] {"line", "#1d4ed8", spec.title()});
        items.add(new String[] {"box", "#fcd34d", "pending"});
        items.add(new String[] {"box", "#f87171", "firing"});
        if (episode.resolvedAt() != null) {
            items.add(new String[] {"box", "#fecaca", "resolve hold"});
        }
        if (!episode.suppressed().isEmpty()) {
            items.add(new String[] {"box", "#6b7280", "suppressed"});
        }
        if (!spec.references().isEmpty()) {
            items.add(new String[] {"dash", "#b91c1c", "threshold / baseline"});
        }
        if (spec.trend() != null) {
            items.add(new String[] {"dash", "#7c3aed", "fitted trend"});
        }
        if (comparing) {
            items.add(new String[] {"box", "#2563eb", "firing (compared)"});
        }
        double xx = LEFT;
        for (String[] item : items) {
            switch (item[0]) {
                case "line" ->
                        svg.append("<line x1=\"")
                                .append(c(xx))
                                .append("\" x2=\"")
                                .append(c(xx + 16))
                                .append("\" y1=\"14\" y2=\"14\" stroke=\"")
                                .append(item[1])
                                .append("\" stroke-width=\"2\"/>");
                case "dash" ->
                        svg.append("<line x1=\"")
                                .append(c(xx))
                                .append("\" x2=\"")
                                .append(c(xx + 16))
                                .append("\" y1=\"14\" y2=\"14\" stroke=\"")
                                .append(item[1])
                                .append("\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>");
                default ->
                        svg.append("<rect x=\"")
                                .append(c(xx))
                                .append("\" y=\"8\" width=\"16\" height=\"12\" fill=\"")
                                .append(item[1])
                                .append("\" fill-opacity=\"0.6\"/>");
            }
            svg.append("<text x=\"")
                    .append(c(xx + 20))
                    .append("\" y=\"18\" class=\"legend\">")
                    .append(esc(item[2]))
                    .append("</text>");
            // About 7 px per character at 11.5 px: generous, so that labels never overlap.
            xx += 30 + item[2].length() * 7.0;
        }
    }
}

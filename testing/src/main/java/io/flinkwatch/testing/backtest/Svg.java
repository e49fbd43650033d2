package io.flinkwatch.testing.backtest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small helpers to write SVG and HTML by hand: escaping, numbers, axes. */
final class Svg {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_CLOCK =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FULL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    private static final long[] TIME_STEPS = {
        60_000L,
        120_000L,
        300_000L,
        600_000L,
        900_000L,
        1_800_000L,
        3_600_000L,
        7_200_000L,
        10_800_000L,
        21_600_000L,
        43_200_000L,
        86_400_000L,
        172_800_000L,
        604_800_000L
    };

    private Svg() {}

    /** Escapes text for HTML and SVG content and attribute values. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    // Control characters are not allowed in XML (SVG) even escaped.
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A coordinate with one decimal: enough for a screen, short in the file. */
    static String c(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0";
        }
        long tenths = Math.round(value * 10);
        return tenths % 10 == 0
                ? Long.toString(tenths / 10)
                : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
    }

    /** A value for people: up to four significant digits, k/M/G for large ones. */
    static String num(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        double abs = Math.abs(value);
        if (abs >= 1e9) {
            return trim(value / 1e9) + "G";
        }
        if (abs >= 1e6) {
            return trim(value / 1e6) + "M";
        }
        if (abs >= 1e4) {
            return trim(value / 1e3) + "k";
        }
        return trim(value);
    }

    private static String trim(double value) {
        String text;
        double abs = Math.abs(value);
        if (abs == 0 || abs >= 100) {
            text = String.format(Locale.ROOT, "%.0f", value);
        } else if (abs >= 10) {
            text = String.format(Locale.ROOT, "%.1f", value);
        } else if (abs >= 0.01) {
            text = String.format(Locale.ROOT, "%.2f", value);
        } else {
            text = String.format(Locale.ROOT, "%.3g", value);
        }
        if (text.contains(".") && !text.contains("e")) {
            text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return text;
    }

    static String clock(long time, boolean withDay) {
        return (withDay ? DAY_CLOCK : CLOCK).format(Instant.ofEpochMilli(time));
    }

    static String time(long time) {
        return FULL.format(Instant.ofEpochMilli(time));
    }

    /** A duration for people: 1h 05m, 12m 30s, 45s. */
    static String duration(long ms) {
        long seconds = Math.max(0, ms) / 1000;
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3600;
        long minutes = seconds % 3600 / 60;
        long secs = seconds % 60;
        if (days > 0) {
            return String.format(Locale.ROOT, "%dd %02dh", days, hours);
        }
        if (hours > 0) {
            return String.format(Locale.ROOT, "%dh %02dm", hours, minutes);
        }
        if (minutes > 0) {
            return secs == 0
                    ? minutes + "m"
                    : String.format(Locale.ROOT, "%dm %02ds", minutes, secs);
        }
        return secs + "s";
    }

    /** Tick times for a time axis from {@code from} to {@code to}: at most {@code max}. */
    static List<Long> timeTicks(long from, long to, int max) {
        long span = Math.max(1, to - from);
        long step = TIME_STEPS[TIME_STEPS.length - 1];
        for (long candidate : TIME_STEPS) {
            if (span / candidate <= max) {
                step = candidate;
                break;
            }
        }
        List<Long> ticks = new ArrayList<>();
        for (long t = Math.floorDiv(from, step) * step + step; t <= to; t += step) {
            if (t >= from) {
                ticks.add(t);
            }
        }
        return ticks;
    }

    /** Round tick values covering {@code [min, max]}: about {@code count}. */
    static double[] valueTicks(double min, double max, int count) {
        double span = max - min;
        if (!(span > 0)) {
            return new double[] {min};
        }
        double raw = span / count;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
            step = factor * magnitude;
            if (span / step <= count) {
                break;
            }
        }
        double first = Math.ceil(min / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (double v = first; v <= max + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

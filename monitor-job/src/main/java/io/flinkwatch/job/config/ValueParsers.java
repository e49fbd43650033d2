package io.flinkwatch.job.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the kinds of values job parameters take. */
public final class ValueParsers {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private ValueParsers() {}

    /** Durations such as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}. */
    public static ValueParser<Duration> duration(Duration min, Duration max) {
        String expected = "a duration like 30s, 2m or 1h" + range(format(min), format(max));
        return text -> {
            Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException(expected);
            }
            long amount = Long.parseLong(m.group(1));
            Duration value =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    };
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(expected);
            }
            return value;
        };
    }

    public static ValueParser<Integer> integer(int min, int max) {
        String expected =
                "a whole number"
                        + (max == Integer.MAX_VALUE
                                ? " of at least " + min
                                : range(Integer.toString(min), Integer.toString(max)));
        return text -> {
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(expected);
            }
            return value;
        };
    }

    public static ValueParser<Double> number(double min, double max) {
        String expected =
                "a number"
                        + (Double.isInfinite(max)
                                ? " of at least " + plain(min)
                                : range(plain(min), plain(max)));
        return text -> {
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (!Double.isFinite(value) || value < min || value > max) {
                throw new IllegalArgumentException(expected);
            }
            return value;
        };
    }

    public static ValueParser<Boolean> bool() {
        return text ->
                switch (text.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException("true or false");
                };
    }

    /** A string that must not be empty. */
    public static ValueParser<String> text() {
        return text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("a non-empty value");
            }
            return text;
        };
    }

    /** A string that may be empty (empty turns the feature off). */
    public static ValueParser<String> optionalText() {
        return text -> text;
    }

    /** An absolute http or https URL, or empty (turns the feature off). */
    public static ValueParser<String> httpUrl() {
        return text -> {
            if (text.isEmpty()) {
                return text;
            }
            try {
                java.net.URI uri = new java.net.URI(text);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                        && uri.getHost() != null) {
                    return text;
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            throw new IllegalArgumentException("an http:// or https:// URL with a host, or empty");
        };
    }

    /**
     * An absolute file path, or empty (not set). Absolute because the file is read on the
     * TaskManagers, whose working directory is not the submitter's.
     */
    public static ValueParser<String> absolutePath() {
        return text -> {
            if (text.isEmpty()) {
                return text;
            }
            try {
                if (java.nio.file.Path.of(text).isAbsolute()) {
                    return text;
                }
            } catch (java.nio.file.InvalidPathException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "an absolute path of a file on the TaskManagers, or empty");
        };
    }

    /** A comma-separated list of non-empty items; empty when {@code allowEmpty}. */
    public static ValueParser<List<String>> list(boolean allowEmpty) {
        return text -> {
            List<String> items =
                    Arrays.stream(text.split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .toList();
            if (items.isEmpty() && !allowEmpty) {
                throw new IllegalArgumentException("a comma-separated list with at least one item");
            }
            return items;
        };
    }

    /**
     * One of an enum's values, written in lower case with dashes ({@code AT_LEAST_ONCE} → {@code
     * at-least-once}).
     */
    public static <E extends Enum<E>> ValueParser<E> choice(Class<E> type) {
        return text -> {
            for (E constant : type.getEnumConstants()) {
                if (wireName(constant).equals(text.toLowerCase(Locale.ROOT))) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("one of " + choices(type));
        };
    }

    public static String wireName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> String choices(Class<E> type) {
        return String.join(
                ", ", Arrays.stream(type.getEnumConstants()).map(ValueParsers::wireName).toList());
    }

    static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String range(String min, String max) {
        return " from " + min + " to " + max;
    }
}

package io.flinkwatch.ingest.prometheus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (version 0.0.4, what Flink's Prometheus reporter
 * serves): {@code # HELP} / {@code # TYPE} comments, and one sample per line, {@code
 * name{label="value",...} value [timestamp]}, with {@code \\}, {@code \"} and {@code \n} escapes in
 * label values. A line that cannot be read is skipped and counted, not fatal: one odd metric must
 * not hide all the others.
 */
public final class PrometheusText {

    private PrometheusText() {}

    /** The samples of a scrape, and how many lines could not be read. */
    public record Parsed(List<PrometheusSample> samples, int unreadableLines) {}

    public static Parsed parse(String text) {
        List<PrometheusSample> samples = new ArrayList<>();
        int unreadable = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            PrometheusSample sample = parseLine(line);
            if (sample == null) {
                unreadable++;
            } else {
                samples.add(sample);
            }
        }
        return new Parsed(samples, unreadable);
    }

    /** One sample line, or null if it is not one. */
    static PrometheusSample parseLine(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            return null;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new HashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i = parseLabels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        int valueEnd = i;
        while (valueEnd < n && line.charAt(valueEnd) != ' ' && line.charAt(valueEnd) != '\t') {
            valueEnd++;
        }
        if (valueEnd == i) {
            return null;
        }
        Double value = parseValue(line.substring(i, valueEnd));
        return value == null ? null : new PrometheusSample(name, labels, value);
    }

    /** Reads {@code label="value",...}} from {@code i}; returns the index after '}' or -1. */
    private static int parseLabels(String line, int i, Map<String, String> labels) {
        int n = line.length();
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                i++;
            }
            if (i >= n) {
                return -1;
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int nameStart = i;
            while (i < n && isNameChar(line.charAt(i), i == nameStart) && line.charAt(i) != ':') {
                i++;
            }
            if (i == nameStart
                    || i >= n
                    || line.charAt(i) != '='
                    || i + 1 >= n
                    || line.charAt(i + 1) != '"') {
                return -1;
            }
            String label = line.substring(nameStart, i);
            i += 2;
            StringBuilder value = new StringBuilder();
            boolean closed = false;
            while (i < n) {
                char c = line.charAt(i++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < n) {
                    char escaped = line.charAt(i++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            if (!closed) {
                return -1;
            }
            labels.put(label, value.toString());
        }
    }

    private static Double parseValue(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || c == '_'
                || c == ':'
                || (!first && c >= '0' && c <= '9');
    }
}

package io.flinkwatch.ingest.publish;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Typed reading of a publisher's string settings (a metric reporter's configuration, or a command
 * line's {@code --key value} pairs). Every problem is an {@link IllegalArgumentException} whose
 * message names the setting as the user wrote it, the value and what is allowed. Settings nobody
 * asked for are reported by {@link #rejectUnknown}, so that typos do not go unnoticed.
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)?");

    private final Map<String, String> values;
    private final String keyPrefix;
    private final Set<String> asked = new HashSet<>();
    private final List<String> askedPrefixes = new ArrayList<>();

    /**
     * @param values the settings by key
     * @param keyPrefix how keys are written where the user sets them (e.g. {@code
     *     metrics.reporter.flinkwatch.} or {@code --}), for messages
     */
    public Settings(Map<String, String> values, String keyPrefix) {
        this.values = Map.copyOf(values);
        this.keyPrefix = keyPrefix;
    }

    /** Reads {@code --key value} pairs. */
    public static Settings fromArgs(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected an option --name, got '" + arg + "'");
            }
            String key = arg.substring(2);
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (values.put(key, args[++i]) != null) {
                throw new IllegalArgumentException("option --" + key + " is given twice");
            }
        }
        return new Settings(values, "--");
    }

    public String required(String key, String what) {
        String value = raw(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name(key) + " is missing: set it to " + what);
        }
        return value.trim();
    }

    public String string(String key, String fallback) {
        String value = raw(key);
        return value == null ? fallback : value.trim();
    }

    public int integer(String key, int fallback, int min, int max) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw invalid(key, value, "a whole number from " + min + " to " + max);
    }

    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        Duration parsed = parseDuration(value);
        if (parsed == null || parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            throw invalid(
                    key,
                    value,
                    "a duration from "
                            + format(min)
                            + " to "
                            + format(max)
                            + " (e.g. 500ms, 15s, 5m, 1h)");
        }
        return parsed;
    }

    public String choice(String key, String fallback, List<String> allowed) {
        String value = string(key, fallback);
        if (!allowed.contains(value)) {
            throw invalid(key, value, "one of " + String.join(", ", allowed));
        }
        return value;
    }

    /** A comma-separated list; empty when the setting is absent. */
    public List<String> list(String key) {
        String value = raw(key);
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** An http(s) URL, or null when the setting is absent or empty. */
    @Nullable
    public URI url(String key, @Nullable String fallback) {
        String value = string(key, fallback == null ? "" : fallback);
        if (value.isEmpty()) {
            return null;
        }
        return checkUrl(key, value);
    }

    /** An http(s) URL: {@code value} as read from {@code key} (e.g. an item of a list). */
    public URI checkUrl(String key, String value) {
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // Reported below.
        }
        throw invalid(key, value, "an http or https URL such as http://localhost:8081");
    }

    /** Every setting {@code <prefix><name>}, by name (e.g. Kafka producer properties). */
    public Map<String, String> withPrefix(String prefix) {
        askedPrefixes.add(prefix);
        Map<String, String> selected = new HashMap<>();
        values.forEach(
                (key, value) -> {
                    if (key.startsWith(prefix) && key.length() > prefix.length()) {
                        selected.put(key.substring(prefix.length()), value);
                    }
                });
        return selected;
    }

    /** Fails on settings that no reader asked for, except {@code ignored} ones. */
    public void rejectUnknown(Set<String> ignored) {
        List<String> unknown = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!asked.contains(key)
                    && !ignored.contains(key)
                    && askedPrefixes.stream().noneMatch(key::startsWith)) {
                unknown.add(name(key));
            }
        }
        if (!unknown.isEmpty()) {
            unknown.sort(null);
            List<String> known = new ArrayList<>();
            asked.forEach(key -> known.add(name(key)));
            askedPrefixes.forEach(prefix -> known.add(name(prefix) + "*"));
            known.sort(null);
            throw new IllegalArgumentException(
                    "unknown setting "
                            + String.join(", ", unknown)
                            + "; known settings are "
                            + String.join(", ", known));
        }
    }

    public IllegalArgumentException invalid(String key, String value, String allowed) {
        return new IllegalArgumentException(name(key) + " is '" + value + "'; allowed: " + allowed);
    }

    /** A setting's name as the user writes it, for messages. */
    public String nameOf(String key) {
        return keyPrefix + key;
    }

    private String name(String key) {
        return nameOf(key);
    }

    @Nullable
    private String raw(String key) {
        asked.add(key);
        return values.get(key);
    }

    /**
     * Parses {@code 500ms}, {@code 15s}, {@code 5m}, {@code 5min}, {@code 1h}, {@code 1d}; a bare
     * number is milliseconds.
     */
    @Nullable
    static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return null;
        }
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}

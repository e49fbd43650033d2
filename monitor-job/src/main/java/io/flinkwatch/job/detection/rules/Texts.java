package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import java.time.Duration;
import java.util.Map;

/** Helpers for the words and numbers in alert texts. */
final class Texts {

    private Texts() {}

    static String words(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0) {
            return duration.toMillis() + " ms";
        }
        if (seconds % 3600 == 0) {
            return plural(seconds / 3600, "hour");
        }
        if (seconds % 60 == 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    /** A clock offset: {@code 20m ahead}, {@code 40s behind}. */
    static String offset(long offsetMs) {
        return io.flinkwatch.ingest.kafka.PartitionClock.human(Math.abs(offsetMs))
                + (offsetMs >= 0 ? " ahead" : " behind");
    }

    private static String plural(long amount, String unit) {
        return amount + " " + unit + (amount == 1 ? "" : "s");
    }

    /** A number for people: whole numbers without a fraction, others with at most 2 decimals. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "unknown";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format("%,d", (long) value);
        }
        return String.format("%,.2f", value);
    }

    static String value(Evidence evidence, String name) {
        Double value = evidence.values().get(name);
        return value == null ? "unknown" : number(value);
    }

    static String bytes(double bytes) {
        double abs = Math.abs(bytes);
        if (abs >= 1 << 30) {
            return String.format("%.1f GiB", bytes / (1 << 30));
        } else if (abs >= 1 << 20) {
            return String.format("%.1f MiB", bytes / (1 << 20));
        } else if (abs >= 1 << 10) {
            return String.format("%.1f KiB", bytes / (1 << 10));
        }
        return String.format("%.0f B", bytes);
    }

    static String where(Map<String, String> labels) {
        StringBuilder where = new StringBuilder("Flink job ").append(labels.get("job_name"));
        if (labels.containsKey("task_name")) {
            where.append(", ").append(labels.get("task_name"));
            if (labels.containsKey("subtask_index")) {
                where.append(" subtask ").append(labels.get("subtask_index"));
            }
        }
        return where.append(" on ").append(labels.get("cluster")).toString();
    }
}

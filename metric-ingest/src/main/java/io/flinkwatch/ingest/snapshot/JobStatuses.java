package io.flinkwatch.ingest.snapshot;

import java.util.List;
import java.util.Set;

/** The job statuses Flink reports, and which of them mean the job was ended on purpose. */
public final class JobStatuses {

    public static final String RUNNING = "RUNNING";

    /** Every status of Flink's {@code JobStatus}, in a fixed order (see {@link #code}). */
    public static final List<String> ORDERED =
            List.of(
                    "INITIALIZING",
                    "CREATED",
                    "RUNNING",
                    "FAILING",
                    "FAILED",
                    "CANCELLING",
                    "CANCELED",
                    "FINISHED",
                    "RESTARTING",
                    "SUSPENDED",
                    "RECONCILING");

    public static final Set<String> ALL = Set.copyOf(ORDERED);

    /** A job in one of these was stopped by its owner or completed: not an incident. */
    public static final Set<String> ENDED_ON_PURPOSE = Set.of("CANCELLING", "CANCELED", "FINISHED");

    private JobStatuses() {}

    /** A number for a status (its position in {@link #ORDERED}), for numeric series. */
    public static int code(String status) {
        return ORDERED.indexOf(status);
    }

    /** The status for a {@link #code}, or null. */
    public static String fromCode(double code) {
        int index = (int) code;
        return index >= 0 && index < ORDERED.size() && index == code ? ORDERED.get(index) : null;
    }

    public static boolean endedOnPurpose(String status) {
        return status != null && ENDED_ON_PURPOSE.contains(status);
    }
}

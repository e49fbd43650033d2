package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;

/**
 * Consumer lag converted to time: the publisher's estimate when it sends one (the consumer-group
 * lag poller does, from the history of the log-end offsets), otherwise the records behind divided
 * by the records consumed per second.
 */
final class LagSeconds {

    private LagSeconds() {}

    /**
     * The lag in seconds: the estimate when there is one, else records ÷ rate; +∞ for a lag while
     * nothing is consumed, NaN when unknown (no estimate, no rate).
     */
    static double of(double lagRecords, double consumedPerSecond, double estimatedSeconds) {
        if (!Double.isNaN(estimatedSeconds)) {
            return estimatedSeconds;
        }
        if (consumedPerSecond > 0) {
            return lagRecords / consumedPerSecond;
        }
        if (consumedPerSecond == 0) {
            return lagRecords > 0 ? Double.POSITIVE_INFINITY : 0;
        }
        return Double.NaN;
    }

    static void add(
            Evidence.Builder evidence,
            double lagRecords,
            double consumedPerSecond,
            double estimatedSeconds) {
        if (!Double.isNaN(estimatedSeconds)) {
            evidence.value("lagSeconds", estimatedSeconds);
            if (consumedPerSecond >= 0) {
                evidence.value("recordsConsumedPerSecond", consumedPerSecond);
            }
        } else {
            add(evidence, lagRecords, consumedPerSecond);
        }
    }

    static void add(Evidence.Builder evidence, double lagRecords, double consumedPerSecond) {
        if (consumedPerSecond > 0) {
            evidence.value("lagSeconds", lagRecords / consumedPerSecond);
            evidence.value("recordsConsumedPerSecond", consumedPerSecond);
        } else if (lagRecords > 0) {
            evidence.fact("lagSeconds", "unbounded: nothing is being consumed");
        }
    }

    static String words(Evidence evidence) {
        Double seconds = evidence.values().get("lagSeconds");
        if (seconds != null) {
            return " (about " + Texts.number(Math.round(seconds)) + " s)";
        }
        return evidence.facts().containsKey("lagSeconds") ? " (not consuming)" : "";
    }
}

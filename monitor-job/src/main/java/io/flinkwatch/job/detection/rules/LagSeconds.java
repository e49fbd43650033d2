package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;

/**
 * Consumer lag converted to time, from the best measure there is:
 *
 * <ol>
 *   <li>a measure in time: the source's own {@code currentEmitEventTimeLag}, or the lag poller's
 *       estimate (read off the history of the log-end offsets);
 *   <li>otherwise the records behind divided by the records consumed per second, a rate measured
 *       from the consumed offsets over a window (or the poller's committed rate), never the
 *       consumer's fetch rate, which reads 0 between fetches of a backpressured consumer;
 *   <li>otherwise unknown, which is not zero: no rate means no lag in seconds, not an unbounded
 *       one.
 * </ol>
 */
final class LagSeconds {

    private LagSeconds() {}

    /**
     * The lag in seconds: the measure in time when there is one, else records ÷ rate; +∞ for
     * records behind while nothing was consumed; NaN when unknown.
     *
     * @param measuredSeconds a measure in time, or NaN
     * @param consumedPerSecond records consumed per second over a window, or NaN when unknown
     */
    static double of(double lagRecords, double consumedPerSecond, double measuredSeconds) {
        if (!Double.isNaN(measuredSeconds)) {
            return measuredSeconds;
        }
        if (Double.isNaN(consumedPerSecond) || Double.isNaN(lagRecords)) {
            return Double.NaN;
        }
        if (consumedPerSecond > 0) {
            return lagRecords / consumedPerSecond;
        }
        return lagRecords > 0 ? Double.POSITIVE_INFINITY : 0;
    }

    /** Adds {@code lagSeconds} (a value, or a fact when unbounded) and the rate, where known. */
    static void add(
            Evidence.Builder evidence,
            double lagRecords,
            double consumedPerSecond,
            double measuredSeconds) {
        double seconds = of(lagRecords, consumedPerSecond, measuredSeconds);
        if (Double.isInfinite(seconds)) {
            evidence.fact("lagSeconds", "unbounded: no record was consumed in the window");
        } else if (!Double.isNaN(seconds)) {
            evidence.value("lagSeconds", seconds);
        }
        if (!Double.isNaN(consumedPerSecond)) {
            evidence.value("recordsConsumedPerSecond", consumedPerSecond);
        }
    }

    static void add(Evidence.Builder evidence, double lagRecords, double consumedPerSecond) {
        add(evidence, lagRecords, consumedPerSecond, Double.NaN);
    }

    static String words(Evidence evidence) {
        Double seconds = evidence.values().get("lagSeconds");
        if (seconds != null) {
            return " (about " + duration(seconds) + ")";
        }
        return evidence.facts().containsKey("lagSeconds") ? " (nothing consumed)" : "";
    }

    /** Seconds for people: {@code 42 s}, {@code 4 min 10 s}, {@code 2 h 5 min}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 120) {
            return Texts.number(s) + " s";
        }
        if (s < 7200) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        long minutes = s / 60;
        return Texts.number(minutes / 60)
                + " h"
                + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }
}
